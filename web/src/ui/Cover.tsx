import { sameOrigin } from '../features/player/tickets';

const SIZES = [128, 256, 512];

/** A square cover: thumbnails through srcset, lazy, in a box whose size never shifts. */
export function Cover({
  url,
  alt,
  size = 256,
  round = false,
  eager = false,
  label,
}: {
  url: string | null | undefined;
  alt: string;
  size?: number;
  round?: boolean;
  eager?: boolean;
  label?: string;
}) {
  if (!url) {
    const text = (label ?? alt).trim();
    return (
      <div
        className={`cover placeholder${round ? ' round' : ''}`}
        style={{ background: gradientFor(text) }}
        role="img"
        aria-label={alt || undefined}
        aria-hidden={alt ? undefined : true}
      >
        <span aria-hidden="true">{initials(text)}</span>
      </div>
    );
  }
  const src = sameOrigin(url, location.origin);
  return (
    <div className={`cover${round ? ' round' : ''}`}>
      <img
        src={`${src}?size=${size}`}
        srcSet={SIZES.map((s) => `${src}?size=${s} ${s}w`).join(', ')}
        sizes={`${size}px`}
        width={size}
        height={size}
        alt={alt}
        loading={eager ? 'eager' : 'lazy'}
        decoding="async"
      />
    </div>
  );
}

function initials(text: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '♪') + (words[1]?.[0] ?? '')).toUpperCase();
}

/** A stable, dark-enough gradient per name (white initials stay readable). */
function gradientFor(text: string): string {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `linear-gradient(135deg, hsl(${h} 55% 36%), hsl(${(h + 40) % 360} 60% 26%))`;
}
