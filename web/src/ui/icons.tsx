import type { SVGProps } from 'react';

type P = SVGProps<SVGSVGElement>;
const base = (d: string, filled = true) =>
  function Icon(props: P) {
    return (
      <svg
        viewBox="0 0 24 24"
        aria-hidden="true"
        focusable="false"
        fill={filled ? 'currentColor' : 'none'}
        stroke={filled ? 'none' : 'currentColor'}
        strokeWidth={2}
        strokeLinecap="round"
        strokeLinejoin="round"
        {...props}
      >
        <path d={d} />
      </svg>
    );
  };

export const PlayIcon = base('M7 4.5v15a1 1 0 0 0 1.5.86l12.5-7.5a1 1 0 0 0 0-1.72L8.5 3.64A1 1 0 0 0 7 4.5z');
export const PauseIcon = base('M6 4h4v16H6zM14 4h4v16h-4z');
export const NextIcon = base('M5 5.5v13a1 1 0 0 0 1.55.83L16 13v5.5h2v-13h-2V11L6.55 4.67A1 1 0 0 0 5 5.5z');
export const PrevIcon = base('M19 5.5v13a1 1 0 0 1-1.55.83L8 13v5.5H6v-13h2V11l9.45-6.33A1 1 0 0 1 19 5.5z');
export const ShuffleIcon = base('M16 3h5v5M4 20 21 3M21 16v5h-5M15 15l6 6M4 4l5 5', false);
export const RepeatIcon = base('M17 1l4 4-4 4M3 11V9a4 4 0 0 1 4-4h14M7 23l-4-4 4-4M21 13v2a4 4 0 0 1-4 4H3', false);
export const VolumeIcon = base('M11 5 6 9H2v6h4l5 4V5zM15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14', false);
export const MuteIcon = base('M11 5 6 9H2v6h4l5 4V5zM23 9l-6 6M17 9l6 6', false);
export const SearchIcon = base('M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.35-4.35', false);
export const AlbumIcon = base('M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z', false);
export const ArtistIcon = base('M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM3 22a9 9 0 0 1 18 0', false);
export const TracksIcon = base('M9 18V5l12-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0zM21 16a3 3 0 1 1-6 0 3 3 0 0 1 6 0z', false);
export const QueueIcon = base('M3 6h13M3 12h13M3 18h9M17 15v6l5-3z', false);
export const MoreIcon = base('M5 12h.01M12 12h.01M19 12h.01', false);
export const CloseIcon = base('M18 6 6 18M6 6l12 12', false);
export const UpIcon = base('M18 15l-6-6-6 6', false);
export const DownIcon = base('M6 9l6 6 6-6', false);
export const LoaderIcon = base('M12 2a10 10 0 1 0 10 10', false);
export const SignOutIcon = base('M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9', false);

export function Logo(props: P) {
  return (
    <svg viewBox="0 0 64 64" aria-hidden="true" focusable="false" {...props}>
      <rect width="64" height="64" rx="14" fill="var(--accent)" />
      <path d="M26 18v20.5a7 7 0 1 0 4 6.3V26l14-3.5v12a7 7 0 1 0 4 6.3V13z" fill="var(--on-accent)" />
    </svg>
  );
}
