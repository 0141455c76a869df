import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useQuery } from 'urql';
import { useRouter } from '../../app/router';
import { Cover } from '../../ui/Cover';
import { SearchIcon } from '../../ui/icons';
import { toQueueTrack } from '../library/track-fields';
import { usePlayerEngine } from '../player/player-context';
import { SEARCH } from './search-query';

interface Option {
  id: string;
  group: 'Tracks' | 'Albums' | 'Artists';
  label: string;
  sub: string;
  cover: string | null | undefined;
  round?: boolean;
  go: () => void;
}

/** Debounced text: changes settle before a request goes out. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * One box, results as you type (debounced; a newer query tears the older one down, which aborts
 * its request), grouped into tracks, albums and artists, navigable with the arrow keys.
 */
export function SearchBox() {
  const { navigate, path, search } = useRouter();
  const engine = usePlayerEngine();
  const [text, setText] = useState(path === '/search' ? (search.get('q') ?? '') : '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const q = useDebounced(text.trim(), 180);
  const [{ data, fetching }] = useQuery({ query: SEARCH, variables: { query: q, limit: 5 }, pause: q.length === 0 });
  const listId = useId();
  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const options = useMemo<Option[]>(() => {
    const r = data?.search;
    if (!r || q.length === 0) return [];
    return [
      ...r.tracks.map((raw) => {
        const t = toQueueTrack(raw);
        return {
          id: `t-${t.id}`,
          group: 'Tracks' as const,
          label: t.title,
          sub: t.artists.map((a) => a.name).join(', '),
          cover: t.cover,
          go: () => void engine.playTracks([t], 0),
        };
      }),
      ...r.albums.map((a) => ({
        id: `al-${a.id}`,
        group: 'Albums' as const,
        label: a.title,
        sub: a.artist.name,
        cover: a.coverArt?.url,
        go: () => navigate(`/albums/${a.id}`),
      })),
      ...r.artists.map((a) => ({
        id: `ar-${a.id}`,
        group: 'Artists' as const,
        label: a.name,
        sub: 'Artist',
        cover: a.coverArt?.url,
        round: true,
        go: () => navigate(`/artists/${a.id}`),
      })),
    ];
  }, [data, q, engine, navigate]);

  const choose = (o: Option) => {
    o.go();
    close();
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const n = options.length;
      if (n) setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : (i - 1 + n) % n));
    } else if (e.key === 'Enter') {
      const o = options[active];
      if (o) choose(o);
      else if (text.trim()) {
        navigate(`/search?q=${encodeURIComponent(text.trim())}`);
        close();
      }
    } else if (e.key === 'Escape') {
      if (open) close();
      else e.currentTarget.blur();
    }
  };
  const showList = open && q.length > 0;
  let lastGroup = '';
  return (
    <div className="search" role="search">
      <SearchIcon className="lead" />
      <input
        id="search-input"
        type="search"
        role="combobox"
        aria-label="Search tracks, albums and artists"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${options[active]?.id}` : undefined}
        placeholder="Search"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(close, 150)}
        onKeyDown={onKey}
      />
      {!text && <kbd aria-hidden="true">/</kbd>}
      {showList && (
        <ul className="suggest" id={listId} role="listbox" aria-label="Search results" aria-busy={fetching}>
          {options.length === 0 && <li className="empty">{fetching || q !== text.trim() ? 'Searching…' : `Nothing found for “${q}”`}</li>}
          {options.map((o, i) => {
            const head = o.group !== lastGroup ? o.group : null;
            lastGroup = o.group;
            return [
              head && (
                <li key={`h-${head}`} className="group" role="presentation">
                  {head}
                </li>
              ),
              <li
                key={o.id}
                id={`${listId}-${o.id}`}
                role="option"
                aria-selected={i === active}
                className="option"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(o)}
                onMouseEnter={() => setActive(i)}
              >
                <div className={`cover-wrap`} style={{ width: 36 }}>
                  <Cover url={o.cover} alt="" size={64} round={o.round} label={o.label} />
                </div>
                <div style={{ minWidth: 0 }}>
                  <div className="t-title">{o.label}</div>
                  <div className="t-sub">
                    {o.group === 'Tracks' ? 'Track · ' : o.group === 'Albums' ? 'Album · ' : ''}
                    {o.sub}
                  </div>
                </div>
              </li>,
            ];
          })}
        </ul>
      )}
    </div>
  );
}
