import { Link } from '../../app/router';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <section className="empty-state">
      <h2>This {what} is not here</h2>
      <p>It may have been removed from the library.</p>
      <Link className="btn" to="/">
        Back to albums
      </Link>
    </section>
  );
}
