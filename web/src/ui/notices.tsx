import { useSyncExternalStore } from 'react';
import { CloseIcon } from './icons';

export interface Notice {
  id: number;
  text: string;
  tone: 'error' | 'info';
  /** An action the notice offers (e.g. "Undo"); the notice closes when it is taken. */
  action?: { label: string; run: () => void };
}

let notices: Notice[] = [];
let next = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

/** Shows a short message at the bottom of the screen (a polite live region announces it). */
export function notify(text: string, options: { tone?: Notice['tone']; action?: Notice['action']; ms?: number } = {}): number {
  const id = next++;
  notices = [...notices.slice(-3), { id, text, tone: options.tone ?? 'info', action: options.action }];
  emit();
  setTimeout(() => dismiss(id), options.ms ?? (options.action ? 8_000 : 6_000));
  return id;
}

export function dismiss(id: number): void {
  if (!notices.some((n) => n.id === id)) return;
  notices = notices.filter((n) => n.id !== id);
  emit();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** The notices on screen; rendered once by the shell. */
export function Notices() {
  const list = useSyncExternalStore(subscribe, () => notices);
  return (
    <div className="notices" role="status" aria-live="polite" aria-label="Notifications">
      {list.map((n) => (
        <div key={n.id} className={`notice ${n.tone}`}>
          <span>{n.text}</span>
          {n.action && (
            <button
              className="btn"
              onClick={() => {
                n.action!.run();
                dismiss(n.id);
              }}
            >
              {n.action.label}
            </button>
          )}
          <button className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
