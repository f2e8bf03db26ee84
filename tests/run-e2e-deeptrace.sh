#!/usr/bin/env bash
# End-to-end tests of `bpfbox deeptrace` on the running kernel, in a
# network namespace of its own: curl -> nginx (Debian's, proxy_pass) ->
# tests/work/dt_backend.py (Python's ThreadingHTTPServer) -> redis-server
# and PostgreSQL (Debian's; the backend through psycopg2).  Each request's
# tree is checked exactly: span names, kinds, processes, parents, statuses
# and link rules; then concurrent requests (every parent right), pipelined
# Redis, keep-alive HTTP, a response in several writes, IPv6, -w + report,
# filters, bad options; PostgreSQL (psql, COPY, pgbench's extended and
# prepared queries) and MariaDB (the mariadb client, errors after rows,
# Perl's prepared statements), DNS (dig over UDP and TCP, on port 53 and
# another, getent through glibc's sendmmsg) against dnsmasq, each client's
# own output the oracle.  Root only; nginx-light, redis-server,
# redis-tools, curl, postgresql, python3-psycopg2, mariadb-server,
# mariadb-client, dnsmasq-base and bind9-dnsutils are installed when
# missing (scripts/apt-lib.sh).
#
# The last line is "e2e-deeptrace: N passed, N failed"; the exit status is
# 1 if anything failed.

set -u
cd "$(dirname "$0")/.."
TOP=$PWD
ROOT=$TOP
BB=${BPFBOX:-$TOP/bpfbox}	# BPFBOX=path tests another build
BACKEND=$TOP/tests/work/dt_backend.py

. "$TOP/tests/e2e/lib.sh"
e2e_begin e2e-deeptrace "loads BPF programs" "$BB" "$BACKEND" "$TOP/build/work/dt_mmsg"

say() { echo "e2e-deeptrace: $*"; }
die() { echo "e2e-deeptrace: $*"; echo "e2e-deeptrace: 0 passed, 1 failed"; exit 1; }
. "$TOP/scripts/apt-lib.sh"
. "$TOP/tests/e2e/deeptrace-chain.sh"
. "$TOP/tests/e2e/deeptrace-sql.sh"
NS=$CHAIN_NS
suite_cleanup() {
	sql_down
	chain_down
}
chain_up "$T"
sql_up

# ---- tracing ----------------------------------------------------------------

# trace_start NAME ARGS...: `bpfbox deeptrace --netns $NS ARGS` in the
# background, until it says it is tracing; trace_stop ends it (SIGINT).
trace_start() {
	G=$T/$1
	shift
	"$BB" deeptrace --netns "$NS" "$@" >"$G.out" 2>"$G.err" </dev/null &
	BGPID=$!
	BGPIDS+=($BGPID)
	SHOW=("$G.out" "$G.err")
	wait_for "$G.err" "tracing socket syscalls" 20 $BGPID || die "deeptrace did not start: $(cat "$G.err")"
}

trace_stop() {
	sleep 1.2	# the last events reach the ring buffer
	kill -INT $BGPID
	reap $BGPID 30
}

get() {
	in_ns curl -s -o /dev/null -w '%{http_code}\n' "$@"
}

# tree FILE ENDPOINT: the trace whose root is ENDPOINT, a line per span in
# tree order: depth kind comm endpoint status-or-reply link.
tree() {
	jq -r --arg ep "$2" 'select(.type == "span")
		| [.trace_id, (.depth|tostring), .kind, .comm, .endpoint,
		   ((.status // .reply)|tostring), .link] | @tsv' "$1" |
		awk -F'\t' -v ep="$2" '$2 == 0 { want = ($5 == ep) } want { $1 = ""; sub(/^ /, ""); print }'
}

expect_tree() {	# NAME FILE ENDPOINT, the tree's lines on stdin
	local want got
	want=$(cat)
	got=$(tree "$2" "$3")
	check "$1" eq "tree of $3" "$want" "$got"
}

# user_tree ID REPLY: the tree of GET /user/ID, Redis answering REPLY.
user_tree() {
	printf '%s\n' "0 client curl GET /user/$1 200 root" \
		"1 server nginx GET /user/$1 200 tcp_seq" \
		"2 client nginx GET /user/$1 200 thread" \
		"3 server python3 GET /user/$1 200 tcp_seq" \
		"4 client python3 GET user:$1 $2 thread" \
		"5 server redis-server GET user:$1 $2 tcp_seq"
}

# account_tree ID STATUS REDIS-REPLY SQL-TAG: the tree of GET /account/ID,
# the backend asking Redis, then PostgreSQL; the SQL span's endpoint is the
# redacted statement, or $SQL.
account_tree() {
	local sql=${SQL:-SELECT name FROM accounts WHERE id = ?}
	printf '%s\n' "0 client curl GET /account/$1 $2 root" \
		"1 server nginx GET /account/$1 $2 tcp_seq" \
		"2 client nginx GET /account/$1 $2 thread" \
		"3 server python3 GET /account/$1 $2 tcp_seq" \
		"4 client python3 GET user:$1 $3 thread" \
		"5 server redis-server GET user:$1 $3 tcp_seq" \
		"4 client python3 $sql $4 thread" \
		"5 server postgres $sql $4 tcp_seq"
}

# ---- one request at a time: the exact tree --------------------------------

trace_start seq --json
codes=$(get http://127.0.0.1:$NPORT/user/1; get http://127.0.0.1:$NPORT/user/404;
	get http://127.0.0.1:$NPORT/fail; get http://127.0.0.1:$NPORT/split;
	get -g "http://[::1]:$NPORT/user/2"; get http://127.0.0.1:$NPORT/account/3;
	get http://127.0.0.1:$NPORT/account/404; get http://127.0.0.1:$NPORT/report)
trace_stop
check "sequential: curl saw 200 404 500 200 200 200 404 500" eq codes "200 404 500 200 200 200 404 500" "$(echo $codes)"
check "sequential: exit 0" eq status 0 "$RC"

expect_tree "sequential: GET /user/1: curl > nginx > backend > redis" "$G.out" "GET /user/1" < <(user_tree 1 '$5')
expect_tree "sequential: a 404 (Redis says nil)" "$G.out" "GET /user/404" <<'X'
0 client curl GET /user/404 404 root
1 server nginx GET /user/404 404 tcp_seq
2 client nginx GET /user/404 404 thread
3 server python3 GET /user/404 404 tcp_seq
4 client python3 GET user:404 nil thread
5 server redis-server GET user:404 nil tcp_seq
X
expect_tree "sequential: a Redis error under a 500" "$G.out" "GET /fail" <<'X'
0 client curl GET /fail 500 root
1 server nginx GET /fail 500 tcp_seq
2 client nginx GET /fail 500 thread
3 server python3 GET /fail 500 tcp_seq
4 client python3 HGET user:1 -WRONGTYPE Operation against a key holding the wrong kind of value thread
5 server redis-server HGET user:1 -WRONGTYPE Operation against a key holding the wrong kind of value tcp_seq
X
# As OpenTelemetry has it: a 4xx is the client's error, a 5xx everyone's.
check "sequential: errors: the 404 at its two clients, the 500 and the Redis error everywhere" \
	eq errors "curl GET /user/404|nginx GET /user/404|curl GET /fail|nginx GET /fail|nginx GET /fail|python3 GET /fail|python3 HGET user:1|redis-server HGET user:1|curl GET /account/404|nginx GET /account/404|curl GET /report|nginx GET /report|nginx GET /report|python3 GET /report|python3 SELECT count(*) FROM orders|postgres SELECT count(*) FROM orders" \
	"$(jq -r 'select(.type == "span" and .error) | "\(.comm) \(.endpoint)"' "$G.out" | paste -sd'|')"
expect_tree "sequential: a response in four writes" "$G.out" "GET /split" <<'X'
0 client curl GET /split 200 root
1 server nginx GET /split 200 tcp_seq
2 client nginx GET /split 200 thread
3 server python3 GET /split 200 tcp_seq
X
check "sequential: the split response's 3067 bytes, one span" \
	eq bytes 1 "$(jcount "$G.out" comm=python3 endpoint="GET /split" response_bytes=3067)"
expect_tree "IPv6: curl to [::1]" "$G.out" "GET /user/2" < <(user_tree 2 '$5')
check "IPv6: nginx's server span is from [::1]" \
	eq spans 1 "$(jcount "$G.out" comm=nginx kind=server endpoint="GET /user/2" 'peer^[::1]:')"
expect_tree "sequential: GET /account/3: the backend asks Redis, then PostgreSQL (psycopg2)" \
	"$G.out" "GET /account/3" < <(account_tree 3 200 '$5' 'SELECT 1')
expect_tree "sequential: a 404 from PostgreSQL's empty answer" "$G.out" "GET /account/404" \
	< <(account_tree 404 404 nil 'SELECT 0')
expect_tree "sequential: an SQL error under a 500" "$G.out" "GET /report" <<'X'
0 client curl GET /report 500 root
1 server nginx GET /report 500 tcp_seq
2 client nginx GET /report 500 thread
3 server python3 GET /report 500 tcp_seq
4 client python3 SELECT count(*) FROM orders ERROR 42P01 relation "orders" does not exist thread
5 server postgres SELECT count(*) FROM orders ERROR 42P01 relation "orders" does not exist tcp_seq
X
check "sequential: 50 spans, no other (the PostgreSQL handshakes none)" eq spans 50 "$(jcount "$G.out" type=span)"

# ---- concurrent requests: every parent right ------------------------------

# concurrent NAME WHAT PATH SPANS [OPTIONS...]: N requests for PATH1..PATHN,
# 8 at a time, traced with OPTIONS: N traces rooted at curl, SPANS spans
# each, every parent right.
concurrent() {
	local name=$1 what=$2 path=$3 each=$4
	shift 4
	trace_start "$name" --json "$@"
	seq 1 $N | in_ns xargs -P 8 -I{} curl -s -o /dev/null "http://127.0.0.1:$NPORT$path{}"
	trace_stop
	check "$what: $N traces rooted at curl" eq roots $N "$(jcount "$G.out" type=span parent_id=0 comm=curl)"
	check "$what: $each spans each" eq spans $((each * N)) "$(jcount "$G.out" type=span)"
	check "$what: every parent right (by rule: right wrong)" \
		eval "dt_parents '$G.out' | awk '\$3 != 0 { print; bad = 1 } END { exit bad }'"
}

N=40
concurrent conc concurrent /user/ 6
check "concurrent: tcp_seq links every server span to its client" \
	eq tcp_seq "tcp_seq $((3 * N)) 0" "$(dt_parents "$G.out" | grep ^tcp_seq)"

# Both databases under the backend, concurrently; --no-redact, so that each
# span's endpoint ends with the account's id (dt_parents' ground truth).
N=24
concurrent concsql "concurrent SQL" /account/ 8 --no-redact
# nginx is an event loop: under concurrency its client spans are linked by
# thread or, when requests overlap on its one thread, by the heuristic.
check "concurrent SQL: thread links the backend's Redis and SQL spans, tcp_seq every server span" eval \
	"eq thread $((2 * N)) $(jcount "$G.out" type=span comm=python3 kind=client link=thread) &&
	 eq tcp_seq $((4 * N)) $(jcount "$G.out" type=span kind=server link=tcp_seq)"
nginx_link() { sed -E 's/^(2 client nginx .*) (thread|heuristic)$/\1 thread-or-heuristic/'; }
check "concurrent SQL: one of the trees, exactly" eq "tree of GET /account/7" \
	"$(SQL='SELECT name FROM accounts WHERE id = 7' account_tree 7 200 '$5' 'SELECT 1' | nginx_link)" \
	"$(tree "$G.out" "GET /account/7" | nginx_link)"

# ---- pipelining, keep-alive --------------------------------------------------

trace_start pipe --json
resp() {	# a command in RESP, as redis-cli --pipe wants it
	local a
	printf '*%d\r\n' $#
	for a; do printf '$%d\r\n%s\r\n' ${#a} "$a"; done
}
{ resp SET a 1; resp GET a; resp INCR a; resp LPUSH a x; resp GET b; } >"$T/pipe.txt"
in_ns bash -c "redis-cli -p $RPORT --pipe <'$T/pipe.txt'" >/dev/null
in_ns curl -s -o /dev/null http://127.0.0.1:$NPORT/user/1 http://127.0.0.1:$NPORT/user/3 \
	http://127.0.0.1:$NPORT/nope
trace_stop
# redis-cli --pipe sends the whole file in one write.
check "pipelined redis: five server spans, in order, with their replies" eq spans \
	"SET a +OK|GET a \$1|INCR a :2|LPUSH a -WRONGTYPE Operation against a key holding the wrong kind of value|GET b nil" \
	"$(jq -r 'select(.type == "span" and .comm == "redis-server" and (.endpoint | test(" [ab]$"))) | "\(.endpoint) \(.reply)"' \
		"$G.out" | paste -sd'|')"
check "keep-alive: three requests on curl's one connection: three traces" \
	eq traces "GET /user/1 200|GET /user/3 200|GET /nope 404" \
	"$(jq -r 'select(.type == "span" and .comm == "curl") | "\(.endpoint) \(.status)"' "$G.out" | paste -sd'|')"
check "keep-alive: one local port for the three" \
	eq ports 1 "$(jq -r 'select(.type == "span" and .comm == "curl") | .local' "$G.out" | sort -u | wc -l)"

# ---- text output, record file, filters ---------------------------------------

trace_start text
get http://127.0.0.1:$NPORT/user/5 >/dev/null
trace_stop
check "text: a trace header and the indented tree" \
	eval "grep -q '^trace [0-9a-f]*: GET /user/5, 6 spans' '$G.out' &&
	      grep -qE '^ +[0-9.]+ +[0-9.]+ {12}server redis GET user:5 -> \\\$5  redis-server\\[' '$G.out'"
check "text: the summary on stderr" grep -q "^deeptrace: [0-9]* events, 6 spans" "$G.err"

trace_start rec -w "$T/rec.bbr"
get http://127.0.0.1:$NPORT/user/6 >/dev/null
trace_stop
check "record: nothing printed while recording" eq lines 0 "$(lines "$G.out")"
"$BB" report --json "$T/rec.bbr" >"$T/report.out" 2>"$T/report.err"
SHOW=("$T/report.out" "$T/report.err")
expect_tree "record: bpfbox report assembles the same tree" "$T/report.out" "GET /user/6" < <(user_tree 6 '$5')

trace_start port --json --port $RPORT
get http://127.0.0.1:$NPORT/user/7 >/dev/null
trace_stop
check "--port $RPORT: only the Redis exchange" eq spans "client python3 GET user:7|server redis-server GET user:7" \
	"$(jq -r 'select(.type == "span") | "\(.kind) \(.comm) \(.endpoint)"' "$G.out" | paste -sd'|')"

trace_start proto --json --protocol redis --comm redis-cli
in_ns redis-cli -p $RPORT get user:8 >/dev/null
get http://127.0.0.1:$NPORT/user/9 >/dev/null
trace_stop
check "--comm redis-cli --protocol redis: redis-cli's span only" eq spans "client redis-cli GET user:8" \
	"$(jq -r 'select(.type == "span") | "\(.kind) \(.comm) \(.endpoint)"' "$G.out" | paste -sd'|')"

trace_start slow --json --min-duration 50ms
get http://127.0.0.1:$NPORT/user/1 >/dev/null
get http://127.0.0.1:$NPORT/split >/dev/null	# 4 writes 5 ms apart, plus Python
trace_stop
check "--min-duration 50ms: fast traces left out" eq roots 0 \
	"$(jcount "$G.out" type=span parent_id=0 endpoint="GET /user/1")"

# ---- SQL: PostgreSQL and MySQL, the clients' output the oracle ----------------

# spans FILE COMM: "endpoint -> reply" of COMM's spans, in order, a line each.
spans() {
	jq -r --arg c "$2" 'select(.type == "span" and .comm == $c) | "\(.endpoint) -> \(.reply)"' "$1"
}

trace_start pg --json
pg psql -X -A -t -v VERBOSITY=verbose -c "INSERT INTO users VALUES (1, 'alice'), (2, 'bob')" \
	-c "SELECT name FROM users WHERE id = 2" -c "SELECT * FROM nope" >"$T/psql.out" 2>"$T/psql.err"
printf 'SELECT name FROM users WHERE id = 2;\n' >"$T/bench.sql"
pg pgbench -n -M extended -t 3 -f "$T/bench.sql" postgres >"$T/pgbench-ext.out" 2>&1
pg pgbench -n -M prepared -t 2 -f "$T/bench.sql" postgres >"$T/pgbench-prep.out" 2>&1
trace_stop
SHOW+=("$T/psql.out" "$T/psql.err")
# psql -A -t prints each command's tag, a SELECT's rows, the error as
# "ERROR:  SQLSTATE: message".
rows=$(sed -n 2,\$p "$T/psql.out" | wc -l)
err=$(sed -n '1s/^ERROR:  \([0-9A-Z]*\): /ERROR \1 /p' "$T/psql.err")
check "postgres: psql's three queries, literals redacted, psql's tags and error" eq spans \
	"INSERT INTO users VALUES (?, ?), (?, ?) -> $(head -n 1 "$T/psql.out")|SELECT name FROM users WHERE id = ? -> SELECT $rows|SELECT * FROM nope -> $err" \
	"$(spans "$G.out" psql | paste -sd'|')"
check "postgres: the error is an error, twice (psql, the server)" eq errors 2 \
	"$(jcount "$G.out" type=span error=true)"
n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\)\/.*/\1/p' "$T/pgbench-ext.out")
check "postgres: pgbench -M extended: Parse/Bind/Execute/Sync, as many as pgbench counts" \
	eq spans "$(printf 'SELECT name FROM users WHERE id = ?; -> SELECT 1\n%.0s' $(seq 1 "$n"))" \
	"$(jq -r 'select(.type == "span" and .comm == "pgbench" and .endpoint != "EXECUTE P_0" and .reply != "PARSE") | "\(.endpoint) -> \(.reply)"' "$G.out" | head -n "$n")"
n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\)\/.*/\1/p' "$T/pgbench-prep.out")
check "postgres: pgbench -M prepared: a Parse, then Bind/Execute of its name" eq spans \
	"SELECT name FROM users WHERE id = ?; -> PARSE$(printf '|EXECUTE P_0 -> SELECT 1%.0s' $(seq 1 "$n"))" \
	"$(spans "$G.out" pgbench | tail -n $((n + 1)) | paste -sd'|')"
check "postgres: every client span has the server's as its child (tcp_seq), no other span" eval \
	"eq server $(jcount "$G.out" type=span kind=client) $(jcount "$G.out" type=span comm=postgres kind=server link=tcp_seq) &&
	 eq spans $((2 * (3 + 3 + 3))) $(jcount "$G.out" type=span protocol=postgres) &&
	 eq all $((2 * (3 + 3 + 3))) $(jcount "$G.out" type=span)"

# COPY: out (the data in the reply), in from psql's stdin (the data part of
# the request: the request's bytes are all psql sent from the COPY's Query
# to its Terminate, strace's count), and in with a bad line (the error).
printf '3\tcarol\n4\tdave\n' >"$T/copy.txt"
printf '5\teve\nx\ty\n' >"$T/copybad.txt"
trace_start pgcopy --json --protocol postgres
pg psql -X -c "COPY users TO STDOUT" >"$T/copyout.out" 2>&1
in_ns strace -qq -xx -s 1 -e trace=sendto -o "$T/copyin.strace" \
	"$PGBIN/psql" -h 127.0.0.1 -p $PGPORT -U postgres -X -c "COPY users FROM STDIN" \
	<"$T/copy.txt" >"$T/copyin.out" 2>&1
pg psql -X -v VERBOSITY=verbose -c "COPY users FROM STDIN" <"$T/copybad.txt" >"$T/copybad.out" 2>&1
trace_stop
SHOW+=("$T/copyout.out" "$T/copyin.out" "$T/copybad.out" "$T/copyin.strace")
err=$(sed -n '1s/^ERROR:  \([0-9A-Z]*\): /ERROR \1 /p' "$T/copybad.out")
check "postgres: COPY out, in, in with a bad line: each one span, psql's tags and error" eq spans \
	"COPY users TO STDOUT -> COPY $(lines "$T/copyout.out")|COPY users FROM STDIN -> $(cat "$T/copyin.out")|COPY users FROM STDIN -> $err" \
	"$(spans "$G.out" psql | paste -sd'|')"
sent=$(awk '/^sendto\(/ && /"\\x51"/ { on = 1 } /^sendto\(/ && /"\\x58"/ { on = 0 } on { s += $NF } END { print s }' "$T/copyin.strace")
check "postgres: COPY FROM STDIN: the data is the request's, at both ends ($sent bytes)" eq bytes \
	"$sent $sent" "$(jq -r 'select(.type == "span" and .endpoint == "COPY users FROM STDIN" and (.error | not)) | .request_bytes' "$G.out" | paste -sd' ')"
check "postgres: COPY: the server's spans, children of psql's (tcp_seq)" \
	eq server 3 "$(jcount "$G.out" type=span comm=postgres kind=server link=tcp_seq)"

trace_start pgraw --json --no-redact --protocol postgres
pg psql -X -q -c "SELECT name FROM users WHERE name = 'bob' AND id > 1" >/dev/null
trace_stop
check "postgres: --no-redact keeps the literals" eq spans \
	"SELECT name FROM users WHERE name = 'bob' AND id > 1 -> SELECT 1" "$(spans "$G.out" psql)"

trace_start my --json
my -B -e "INSERT INTO shop.users VALUES (1, 'alice'), (2, 'bob'); SELECT id, name FROM shop.users WHERE name = 'bob'; SELECT * FROM shop.nope" \
	>"$T/mysql.out" 2>"$T/mysql.err"
trace_stop
SHOW+=("$T/mysql.out" "$T/mysql.err")
# mariadb -B: a header line of the columns, tab-separated; the error as
# "ERROR code (state) at line 1: message".
cols=$(head -n 1 "$T/mysql.out" | awk -F'\t' '{ print NF " column" (NF == 1 ? "" : "s") }')
err=$(sed -n 's/^ERROR \([0-9]*\) (\([0-9A-Z]*\)) at line [0-9]*: /ERR \1 \2 /p' "$T/mysql.err")
check "mysql: the three statements, literals redacted, OK, the result set, the error" eq spans \
	"INSERT INTO shop.users VALUES (?, ?), (?, ?) -> OK 2|SELECT id, name FROM shop.users WHERE name = ? -> $cols|SELECT * FROM shop.nope -> $err" \
	"$(spans "$G.out" mariadb | paste -sd'|')"
check "mysql: the server's spans, children of the client's (tcp_seq); the handshake none" eval \
	"eq server 3 $(jcount "$G.out" type=span comm=mariadbd kind=server link=tcp_seq protocol=mysql) &&
	 eq all 6 $(jcount "$G.out" type=span)"

# Errors after rows: a subquery that returns two rows for the second row
# (the first row is sent before), and a procedure that SIGNALs after a
# SELECT (its result set says more results follow; mariadb prints the row).
printf "DELIMITER //\nCREATE PROCEDURE shop.p() BEGIN SELECT id FROM shop.users WHERE id = 1; SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END//\n" |
	my || die "cannot create the procedure"
trace_start myrows --json --protocol mysql
my -B -e "SELECT id, (SELECT name FROM shop.users u2 WHERE u2.id <= u1.id) AS n FROM shop.users u1" \
	>"$T/myrows.out" 2>"$T/myrows.err"
my -B -e "CALL shop.p()" >"$T/mycall.out" 2>"$T/mycall.err"
trace_stop
SHOW+=("$T/myrows.out" "$T/myrows.err" "$T/mycall.out" "$T/mycall.err")
myerr() { sed -n 's/^ERROR \([0-9]*\) (\([0-9A-Z]*\)) at line [0-9]*: /ERR \1 \2 /p' "$1"; }
check "mysql: CALL's rows came before its error (mariadb printed: $(paste -sd' ' "$T/mycall.out"))" \
	eq rows "id 1" "$(paste -sd' ' "$T/mycall.out")"
check "mysql: errors after rows: the mariadb client's errors, at both ends" eq spans \
	"$(printf '%s\n' "SELECT id, (SELECT name FROM shop.users u2 WHERE u2.id <= u1.id) AS n FROM shop.users u1 -> $(myerr "$T/myrows.err")" \
		"CALL shop.p() -> $(myerr "$T/mycall.err")" | sed p | paste -sd'|')" \
	"$(jq -r 'select(.type == "span" and .error) | "\(.endpoint) -> \(.reply)"' "$G.out" | paste -sd'|')"
check "mysql: the server's spans, children of the client's (tcp_seq), no other span" eval \
	"eq server 2 $(jcount "$G.out" type=span comm=mariadbd kind=server link=tcp_seq) &&
	 eq all 4 $(jcount "$G.out" type=span)"

# Server-side prepared statements: Perl's DBD::MariaDB prepares once and
# executes twice (COM_STMT_PREPARE, COM_STMT_EXECUTE); what it fetched is
# the oracle for each execution's reply.
trace_start myprep --json --comm perl
in_ns perl -MDBI -e 'my $d = DBI->connect("DBI:MariaDB:host=127.0.0.1;port='$MYPORT';mariadb_server_prepare=1",
	"root", "", { RaiseError => 1 }) or die;
	my $s = $d->prepare("SELECT name FROM shop.users WHERE id = ?");
	for my $id (1, 2) { $s->execute($id); print scalar(@{$s->{NAME}}), " ", join(",", map { @$_ } @{$s->fetchall_arrayref}), "\n" }' \
	>"$T/perl.out" 2>&1
trace_stop
SHOW+=("$T/perl.out")
id=$(jq -r 'select(.type == "span" and .kind == "client" and (.endpoint | test("^SELECT name FROM shop.users"))) | .reply' "$G.out" |
	sed -n 's/^prepared #//p')
check "mysql: COM_STMT_PREPARE's reply names the statement, COM_STMT_EXECUTE runs it (perl fetched: $(paste -sd' ' "$T/perl.out"))" \
	eq spans "SELECT name FROM shop.users WHERE id = ? -> prepared #$id|$(awk -v id="$id" '{ print "EXECUTE #" id " -> " $1 " column" ($1 == 1 ? "" : "s") }' "$T/perl.out" | paste -sd'|')" \
	"$(spans "$G.out" perl | grep -E 'shop.users|^EXECUTE' | paste -sd'|')"

# ---- DNS: dig (UDP, TCP) and glibc's resolver (sendmmsg) against dnsmasq ------

# digs NAME TYPE [+tcp]...: dig's answer as a span would say it.
digs() {
	local out
	out=$(in_ns dig @127.0.0.1 +tries=1 +time=5 "$@")
	printf '%s %s -> %s, ANSWER: %s\n' "$2" "$1" \
		"$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")" \
		"$(sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p' <<<"$out")"
}
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:5\n' >"$T/resolv.conf"
trace_start dns --json --protocol dns
{ digs shop.test A; digs nope.test AAAA; digs shop.test A +tcp; digs shop.test A -p $DNSPORT2; } >"$T/dig.want"
# Not DNS, on another UDP port: a statsd line and its answer (a span, but
# not a DNS one: this trace shows --protocol dns only).
in_ns /usr/bin/python3 -c 'import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", '$((DNSPORT2 + 1))'))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cli.sendto(b"page.views:1|c", srv.getsockname())
d, a = srv.recvfrom(100)
srv.sendto(b"ok", a)
cli.recvfrom(100)' || die "the UDP exchange failed"
# getent in a mount namespace of its own, where /etc/resolv.conf is ours;
# strace says how glibc sent the two questions.
in_ns unshare -m sh -c "mount --bind '$T/resolv.conf' /etc/resolv.conf &&
	exec strace -f -qq -e trace=sendmmsg -o '$T/getent.strace' getent ahosts shop.test" \
	>"$T/getent.out"
trace_stop
SHOW+=("$T/dig.want" "$T/getent.out" "$T/getent.strace")
check "dns: dig's four queries (UDP, UDP, TCP, UDP to port $DNSPORT2), its status and answer count" eq spans \
	"$(paste -sd'|' "$T/dig.want")" \
	"$(jq -r 'select(.type == "span" and .kind == "client" and .comm != "getent") | "\(.endpoint) -> \(.reply)"' "$G.out" | paste -sd'|')"
check "dns: glibc sent its A and AAAA questions in one sendmmsg" \
	grep -q 'sendmmsg(.*, 2, [^)]*) = 2' "$T/getent.strace"
check "dns: getent's two questions, each answer's count what getent prints" eq spans \
	"A shop.test -> NOERROR, ANSWER: $(awk '$2 == "STREAM" && $1 !~ /:/' "$T/getent.out" | wc -l)|AAAA shop.test -> NOERROR, ANSWER: $(awk '$2 == "STREAM" && $1 ~ /:/' "$T/getent.out" | wc -l)" \
	"$(spans "$G.out" getent | sort | paste -sd'|')"
check "dns: dnsmasq's server spans, each the child of its client's (tcp_seq: the ID over UDP)" eval \
	"eq server 6 $(jcount "$G.out" type=span comm=dnsmasq kind=server link=tcp_seq) &&
	 eq all 12 $(jcount "$G.out" type=span) &&
	 eq errors 2 $(jcount "$G.out" type=span endpoint='AAAA nope.test' error=true)"
check "dns: port $DNSPORT2 by content: dnsmasq's span there; the statsd datagram no DNS span" eval \
	"eq server 1 $(jcount "$G.out" type=span comm=dnsmasq kind=server local=127.0.0.1:$DNSPORT2) &&
	 eq statsd 0 $(jcount "$G.out" type=span peer=127.0.0.1:$((DNSPORT2 + 1)))"

# sendmmsg/recvmmsg vectors: 40 questions in one sendmmsg, their answers by
# recvmmsg: each message an event, 40 spans; then 70: the messages past a
# vector's first 64 are counted (lost_other), as dt_mmsg's own counts say.
trace_start mmsg --json --protocol dns --comm dt_mmsg
in_ns "$TOP/build/work/dt_mmsg" 53 40 >"$T/mmsg40.out" && in_ns "$TOP/build/work/dt_mmsg" 53 70 >"$T/mmsg70.out" ||
	die "dt_mmsg failed: $(cat "$T"/mmsg*.out)"
trace_stop
SHOW+=("$T/mmsg40.out" "$T/mmsg70.out")
first=$(jq -r 'select(.type == "span") | .local' "$G.out" | head -n 1)
check "mmsg: 40 questions in one sendmmsg: 40 spans on that socket, each answered" eq spans \
	"40 A shop.test -> NOERROR, ANSWER: 1" \
	"$(jq -r --arg l "$first" 'select(.type == "span" and .local == $l) | "\(.endpoint) -> \(.reply)"' "$G.out" | uniq -c | sed 's/^ *//')"
over=$(awk '{ n = $2 - 64 } n > 0 { s += n } END { print s + 0 }' "$T/mmsg70.out")
check "mmsg: 70 in one sendmmsg: the messages past each vector's 64 counted ($over)" eq lost_other \
	"$over" "$(jq -r 'select(.type == "lost") | .lost_other' "$G.out")"

# A client that exits without close() (busybox wget does so after an error
# page): its response, read to the server's close, is over once the reads
# reach what the server sent before closing; its span comes then, not at
# the end of the trace, and is its server span's parent (which settles a
# second after its close: without this it was a root of its own).
GPORT=8099
trace_start noclose --json --port $GPORT
in_ns /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
c.recv(4096)
c.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such page\n")
c.close()' $GPORT >"$T/noclose-server.out" &
NCPID=$!
BGPIDS+=($NCPID)
wait_for "$T/noclose-server.out" '^ready$' 10 $NCPID || die "the one-shot server did not start"
in_ns /usr/bin/python3 -c '
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /gone HTTP/1.0\r\nHost: x\r\n\r\n")
got = b""
while not got.endswith(b"page\n"):
	got += s.recv(4096)
os._exit(0)	# no close(): the kernel closes it, unseen' $GPORT
reap $NCPID 10
sleep 2.5	# the server span settles (1 s after its close) while we trace
trace_stop
expect_tree "noclose: a client that exits without close() is its server span's parent" "$G.out" "GET /gone" <<EOF
0 client python3 GET /gone 404 root
1 server python3 GET /gone 404 tcp_seq
EOF

# ---- what the user can get wrong ---------------------------------------------

fails_with bad-snaplen 'snaplen' "$BB" deeptrace --snaplen 5000
fails_with bad-proto 'protocol' "$BB" deeptrace --protocol gopher
fails_with bad-port 'port' "$BB" deeptrace --port 70000
fails_with bad-arg 'unexpected argument' "$BB" deeptrace foo
fails_with bad-netns 'nosuchns' "$BB" deeptrace --netns nosuchns

e2e_end
