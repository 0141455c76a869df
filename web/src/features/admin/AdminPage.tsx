import { useUser } from '../auth/session-context';
import { LibraryAdmin } from './LibraryAdmin';
import { UserPlanAdmin } from './UserPlanAdmin';
import '../account/account.css';

/** The administrator's view: the library's scan and statistics, and users' plans. */
export function AdminPage() {
  const user = useUser();
  if (user.role !== 'ADMIN')
    return (
      <section className="empty-state">
        <h2>Administrators only</h2>
        <p>This page is for the server’s administrators.</p>
      </section>
    );
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Administration</h1>
        </div>
      </div>
      <LibraryAdmin />
      <UserPlanAdmin />
    </>
  );
}
