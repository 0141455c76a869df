// Command ytm-sqlite-id-index makes FerretDB 1.24's `_id` lookups on its SQLite backend index
// seeks.
//
// FerretDB 1.24 creates each collection's unique `_id_` index on the expression
// `_ferretdb_sjson->"_id"`, but filters by `_id` (find, findOne, update, delete with a filter of
// exactly `{_id: <string or ObjectId>}`) with `WHERE _ferretdb_sjson->'$._id' = ?`. SQLite uses
// an expression index only for the same expression, so every such lookup scans the table.
// This program adds, next to FerretDB's own index, a plain index on exactly the filter's
// expression to every collection table of every database file in -dir, and keeps doing so for
// tables created later until the FerretDB process given by -ferretdb-pid is gone. FerretDB does
// not know about these indexes: they change no result, only the plan; dropping a collection drops
// its table and with it the index.
//
// With -plan db.collection it prints SQLite's plan for FerretDB's `_id` lookup in that
// collection and exits (tests use it to check that a lookup is a SEARCH, not a SCAN).
package main

import (
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

const (
	// idExpr is FerretDB 1.24's metadata.IDColumn: the expression its WHERE clauses compare.
	idExpr      = `_ferretdb_sjson->'$._id'`
	indexSuffix = "__ytm_sjson_id"
)

// missing lists collection tables (they have FerretDB's document column) without our index.
const missing = `SELECT t.name FROM sqlite_schema AS t
WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
  AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) AS c WHERE c.name = '_ferretdb_sjson')
  AND NOT EXISTS (SELECT 1 FROM sqlite_schema AS i WHERE i.type = 'index' AND i.name = t.name || '` + indexSuffix + `')`

func main() {
	dir := flag.String("dir", "", "FerretDB's SQLite directory (the path of its --sqlite-url)")
	pid := flag.Int("ferretdb-pid", 0, "keep watching until this process is gone (0: one pass, then exit)")
	interval := flag.Duration("interval", 250*time.Millisecond, "how often to look for new tables")
	plan := flag.String("plan", "", "print the plan of FerretDB's _id lookup in db.collection, then exit")
	flag.Parse()

	if *dir == "" {
		fmt.Fprintln(os.Stderr, "ytm-sqlite-id-index: -dir is required")
		os.Exit(2)
	}

	if *plan != "" {
		out, err := lookupPlan(*dir, *plan)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ytm-sqlite-id-index: %v\n", err)
			os.Exit(1)
		}
		fmt.Println(out)
		return
	}

	seen := map[string]stamp{}
	lastFull := time.Time{}
	for {
		// A file is opened again only when it (or its WAL) changed since it was last looked at; every
		// fullEvery all are, in case a change fell within the file system's timestamp granularity.
		full := time.Since(lastFull) >= fullEvery
		if full {
			lastFull = time.Now()
		}
		pass(*dir, seen, full)
		if *pid == 0 || !alive(*pid) {
			return
		}
		time.Sleep(*interval)
	}
}

// fullEvery is how often every database file is looked at, changed or not.
const fullEvery = 10 * time.Second

// stamp is what a database file and its WAL looked like: a new table is a write to one of them.
type stamp struct {
	mod  [2]int64 // UnixNano
	size [2]int64
}

func stampOf(file string) (stamp, error) {
	var s stamp
	for i, f := range []string{file, file + "-wal"} {
		fi, err := os.Stat(f)
		if err != nil {
			if i == 0 || !errors.Is(err, os.ErrNotExist) {
				return s, err
			}
			continue // no WAL (yet, or after a clean close)
		}
		s.mod[i], s.size[i] = fi.ModTime().UnixNano(), fi.Size()
	}
	return s, nil
}

func open(file, mode string) (*sql.DB, error) {
	// mode=rw never creates a file: a database FerretDB just dropped stays dropped.
	return sql.Open("sqlite", "file:"+file+"?mode="+mode+"&_pragma=busy_timeout(10000)")
}

// pass indexes every table that lacks our index, in every database file of dir that changed since
// the last pass (all of them when full). Looking at all every 250 ms costs a tenth of a core once
// there are a hundred databases (tests and benchmarks leave many).
func pass(dir string, seen map[string]stamp, full bool) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	present := make(map[string]bool, len(files))
	for _, file := range files {
		present[file] = true
		st, err := stampOf(file)
		if err != nil {
			delete(seen, file)
			continue // dropped meanwhile
		}
		if prev, ok := seen[file]; ok && prev == st && !full {
			continue
		}
		// Stamped before it is read: a change made while it is read is seen by the next pass.
		seen[file] = st
		if err := indexFile(file); err != nil {
			delete(seen, file) // look again next pass
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Printf("ytm-sqlite-id-index: %s: %v\n", filepath.Base(file), err)
			}
		}
	}
	for file := range seen {
		if !present[file] {
			delete(seen, file)
		}
	}
}

func indexFile(file string) error {
	if _, err := os.Stat(file); err != nil {
		return err
	}
	db, err := open(file, "rw")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.Query(missing)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, t := range tables {
		started := time.Now()
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, t+indexSuffix, t, idExpr)
		if _, err := db.Exec(q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped meanwhile
			}
			return err
		}
		fmt.Printf("ytm-sqlite-id-index: indexed %s.%s by %s (%s)\n",
			strings.TrimSuffix(filepath.Base(file), ".sqlite"), t, idExpr, time.Since(started).Round(time.Millisecond))
	}
	return nil
}

// lookupPlan returns SQLite's plan for FerretDB's `_id` lookup in db.collection, one step a line.
func lookupPlan(dir, target string) (string, error) {
	dbName, coll, ok := strings.Cut(target, ".")
	if !ok {
		return "", fmt.Errorf("-plan wants db.collection, got %q", target)
	}
	file := filepath.Join(dir, dbName+".sqlite")
	if _, err := os.Stat(file); err != nil {
		return "", err
	}
	db, err := open(file, "ro")
	if err != nil {
		return "", err
	}
	defer db.Close()

	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, coll).Scan(&table); err != nil {
		return "", fmt.Errorf("collection %s: %w", target, err)
	}
	rows, err := db.Query(fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE %s = ?`, table, idExpr), `"x"`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "\n"), rows.Err()
}

// alive is true while pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: kill(0) is all we know
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
