import { useEffect, useRef } from 'react';

/** Calls `more` when the returned element scrolls into view (cursor pagination as you scroll). */
export function useInfinite(more: (() => void) | undefined) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !more) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && more(), { rootMargin: '600px' });
    io.observe(el);
    return () => io.disconnect();
  }, [more]);
  return ref;
}
