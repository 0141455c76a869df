import { useEffect } from 'react';
import type { PlayerEngine } from './player-engine';

/** What a key does, or undefined (exported for the help text and tests). */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>): string | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  switch (e.key) {
    case ' ':
      return 'toggle';
    case 'ArrowRight':
      return e.shiftKey ? 'next' : 'forward';
    case 'ArrowLeft':
      return e.shiftKey ? 'previous' : 'back';
    case 'ArrowUp':
      return e.shiftKey ? 'volumeUp' : undefined;
    case 'ArrowDown':
      return e.shiftKey ? 'volumeDown' : undefined;
    case 'm':
      return 'mute';
    case '/':
      return 'search';
    default:
      return undefined;
  }
}

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

/**
 * Space play/pause, ←/→ seek 10 s, Shift+←/→ previous/next, Shift+↑/↓ volume, M mute, / search.
 * Never while typing, and space is left to buttons and links that have focus.
 */
export function useShortcuts(engine: PlayerEngine): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typingIn(e.target)) return;
      const action = shortcutFor(e);
      if (!action) return;
      const focused = e.target as HTMLElement | null;
      if (action === 'toggle' && focused && (focused.tagName === 'BUTTON' || focused.tagName === 'A')) return;
      if ((action === 'forward' || action === 'back') && focused?.getAttribute('role') === 'slider') return;
      e.preventDefault();
      const s = engine.snapshot;
      switch (action) {
        case 'toggle':
          return void engine.toggle();
        case 'forward':
          return engine.seek(s.position + 10);
        case 'back':
          return engine.seek(s.position - 10);
        case 'next':
          return void engine.next();
        case 'previous':
          return void engine.previous();
        case 'volumeUp':
          return engine.setVolume(s.volume + 0.1);
        case 'volumeDown':
          return engine.setVolume(s.volume - 0.1);
        case 'mute':
          return engine.toggleMute();
        case 'search':
          return document.getElementById('search-input')?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [engine]);
}
