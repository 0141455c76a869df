import { useEffect, useLayoutEffect, useState, type RefObject } from 'react';

/** One row element of a virtual list: which track index it shows now, and where. */
export interface Slot {
  /** Stable key: the same element shows another index as the list scrolls (it is recycled). */
  key: number;
  index: number;
  top: number;
}

/**
 * A window-scrolled list of `count` rows of one fixed height: a fixed number of row elements
 * (the screen's rows plus `overscan` each side), each showing the index that falls in its slot
 * (`index % slots`), so scrolling one row moves one element to the other end instead of creating
 * and removing rows.
 *
 * Layout is read only where it can change (mount, resize), never while scrolling: the scroll
 * listener only asks for an animation frame, which reads `scrollY` once and re-renders only when
 * the first row changes.
 */
export function useFixedRows(listRef: RefObject<HTMLElement | null>, count: number, rowHeight: number, overscan: number) {
  const [geometry, setGeometry] = useState({ top: 0, viewport: 800 });
  const [first, setFirst] = useState(0);
  const slots = Math.min(count, Math.ceil(geometry.viewport / rowHeight) + 1 + 2 * overscan);

  // Where the list starts in the page and how tall the window is: measured when they can change.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const measure = () => {
      const next = { top: list.getBoundingClientRect().top + scrollY, viewport: innerHeight };
      setGeometry((g) => (g.top === next.top && g.viewport === next.viewport ? g : next));
    };
    measure();
    const ro = new ResizeObserver(measure);
    if (list.parentElement) ro.observe(list.parentElement);
    addEventListener('resize', measure);
    return () => {
      ro.disconnect();
      removeEventListener('resize', measure);
    };
  }, [listRef]);

  useEffect(() => {
    let frame = 0;
    const update = () => {
      frame = 0;
      const top = Math.floor((scrollY - geometry.top) / rowHeight) - overscan;
      setFirst(Math.max(0, Math.min(top, count - slots)));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    addEventListener('scroll', onScroll, { passive: true });
    return () => {
      removeEventListener('scroll', onScroll);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [geometry.top, rowHeight, overscan, count, slots]);

  const start = Math.max(0, Math.min(first, count - slots));
  return { slots: placeRows(start, slots, rowHeight), height: count * rowHeight, last: start + slots - 1 };
}

/**
 * `slots` row elements showing the indexes [start, start + slots): index i in slot i % slots, so
 * moving the window by n rows changes the index of n slots and leaves the others as they are.
 */
export function placeRows(start: number, slots: number, rowHeight: number): Slot[] {
  const out: Slot[] = [];
  for (let key = 0; key < slots; key++) {
    const index = start + ((((key - start) % slots) + slots) % slots);
    out.push({ key, index, top: index * rowHeight });
  }
  return out;
}
