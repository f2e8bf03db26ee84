// SPDX-License-Identifier: GPL-2.0
/*
 * dl_sqlite: threaded SQLite (Debian's libsqlite3) for deadlock's tests
 * and benchmark: one database in WAL mode, shared cache, serialized
 * connections; THREADS threads each insert and select ROUNDS times on a
 * connection of their own.  SQLite's mutexes (recursive ones among them,
 * taken again while other mutexes are held; made and destroyed as
 * connections come and go) have no lock-order cycle that can deadlock:
 * helgrind reports none.  Prints "done ROWS" (ROWS = THREADS * ROUNDS).
 *
 *   dl_sqlite DBFILE [THREADS [ROUNDS]]
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *path;
static int rounds = 200;

static void die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "dl_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
	exit(1);
}

/* @sql, again while another connection of the shared cache has the table. */
static void run(sqlite3 *db, const char *sql, int *count)
{
	sqlite3_stmt *st;
	int rc;

	for (;;) {
		rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
		if (rc == SQLITE_OK) {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				if (count)
					*count = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		if (rc == SQLITE_DONE)
			return;
		if (rc != SQLITE_LOCKED && rc != SQLITE_BUSY && rc != SQLITE_LOCKED_SHAREDCACHE)
			die(db, sql);
		usleep(100);
	}
}

static void *worker(void *arg)
{
	sqlite3 *db;
	char sql[128];
	int i, n;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_SHAREDCACHE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
		die(db, "open");
	sqlite3_busy_timeout(db, 5000);
	for (i = 0; i < rounds; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%ld, %d)", (long)arg, i);
		run(db, sql, NULL);
		run(db, "SELECT count(*) FROM t", &n);
	}
	sqlite3_close(db);
	return arg;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 4, i, n = 0;
	pthread_t t[64];
	sqlite3 *db;

	if (argc < 2 || threads < 1 || threads > 64)
		return 2;
	path = argv[1];
	if (argc > 3)
		rounds = atoi(argv[3]);
	sqlite3_enable_shared_cache(1);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(db, "open");
	run(db, "PRAGMA journal_mode=WAL", NULL);
	run(db, "CREATE TABLE IF NOT EXISTS t (thread INTEGER, round INTEGER)", NULL);
	run(db, "DELETE FROM t", NULL);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	run(db, "SELECT count(*) FROM t", &n);
	sqlite3_close(db);
	printf("done %d\n", n);
	return 0;
}
