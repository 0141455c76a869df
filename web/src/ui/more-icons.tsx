import type { SVGProps } from 'react';

type P = SVGProps<SVGSVGElement>;
const line = (d: string) =>
  function Icon(props: P) {
    return (
      <svg
        viewBox="0 0 24 24"
        aria-hidden="true"
        focusable="false"
        fill="none"
        stroke="currentColor"
        strokeWidth={2}
        strokeLinecap="round"
        strokeLinejoin="round"
        {...props}
      >
        <path d={d} />
      </svg>
    );
  };

const HEART = 'M20.8 4.6a5.5 5.5 0 0 0-7.8 0L12 5.7l-1-1.1a5.5 5.5 0 0 0-7.8 7.8l1 1.1L12 21.3l7.8-7.8 1-1.1a5.5 5.5 0 0 0 0-7.8z';
export const HeartIcon = line(HEART);
export function HeartFilledIcon(props: P) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="currentColor" stroke="currentColor" strokeWidth={2} strokeLinejoin="round" {...props}>
      <path d={HEART} />
    </svg>
  );
}
export const PlaylistIcon = line('M3 6h12M3 12h12M3 18h7M17 14v7M13.5 17.5h7');
export const HistoryIcon = line('M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l3 3');
export const UserIcon = line('M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM3 22a9 9 0 0 1 18 0');
export const ShieldIcon = line('M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z');
export const GripIcon = line('M9 6h.01M15 6h.01M9 12h.01M15 12h.01M9 18h.01M15 18h.01');
export const PlusIcon = line('M12 5v14M5 12h14');
