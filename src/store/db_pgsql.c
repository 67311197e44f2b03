#include "store/db_internal.h"
#include "store/pgsql_sql.h"

#include "base/dynlib.h"
#include "base/str.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libpq is opened by the first db_pgsql_open: a server on SQLite never
 * maps it, nor the TLS and Kerberos libraries it brings. */
#define PQ_FUNCTIONS(X) \
	X(PQclear) \
	X(PQcmdStatus) \
	X(PQconnectdbParams) \
	X(PQconsumeInput) \
	X(PQenterPipelineMode) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexitPipelineMode) \
	X(PQfinish) \
	X(PQfreemem) \
	X(PQftype) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetlength) \
	X(PQgetvalue) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQpipelineSync) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendPrepare) \
	X(PQsendQueryParams) \
	X(PQsendQueryPrepared) \
	X(PQsetNoticeProcessor) \
	X(PQsocket) \
	X(PQstatus) \
	X(PQtransactionStatus) \
	X(PQunescapeBytea)
static struct {
	PQ_FUNCTIONS(DYNLIB_FIELD)
} libpq;
static const char *const libpq_names[] = {PQ_FUNCTIONS(DYNLIB_NAME)};
static struct dynlib libpq_loader = DYNLIB_INIT("libpq.so.5", libpq_names, libpq);
DYNLIB_TABLE_CHECK(libpq, libpq_names);

#define STMT_CACHE_INITIAL 64 /* slots; always a power of two */

/* Type OIDs of the built-in types we send or read (pg_type.dat). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20

/* pg_advisory_lock(CLASS, n): "CHMD", then what the lock guards. */
#define LOCK_CLASS "1128811844"
#define LOCK_WRITE "1"
#define LOCK_MIGRATE "2"
#define WRITE_LOCK_SQL \
	"SELECT pg_advisory_xact_lock(" LOCK_CLASS ", " LOCK_WRITE ")"

#define SAVEPOINT_NAME "chamado_stmt"

/* Statements db_prefetch may send ahead in one pipeline. */
#define PREFETCH_MAX 32
/* Writes sent without waiting (db_deferrable) before their answers are
 * read: a connection that only writes and never reads would fill the
 * server's send buffer, and then both sides would wait. */
#define DEFERRED_MAX 32

struct pg_param {
	Oid type;          /* 0: let the server infer it */
	const char *value; /* NULL: SQL NULL */
	int length;
	int format;   /* 0 text, 1 binary */
	char *heap;   /* our copy of text or bytes, freed on rebind/done */
	char number[24];
	bool bound;
};

struct pg_stmt {
	struct db_stmt base;
	const char *sql;
	int nparams;
	char name[32]; /* "" until prepared on the current connection */
	/* Integers are left to the server to type: the statement calls a
	 * function that takes an int4 (say), which INT8 would not match. */
	bool infer_ints;
	Oid *prepared_types;
	struct pg_param *params;
	/* The arrays libpq takes, filled from params at execution. */
	const char **values;
	int *lengths;
	int *formats;
	Oid *types;
	PGresult *result; /* NULL until executed */
	int row;          /* the current row, -1 before the first */
	unsigned char *blob; /* PQunescapeBytea of the last blob read */
	/* db_prefetch: the result of an execution sent ahead, and the
	 * parameters it was sent with (params_key); a step with the same
	 * parameters takes it instead of asking again. */
	PGresult *ahead;
	char *ahead_key;
	size_t ahead_key_len;
	bool in_flight; /* sent in the open pipeline, not yet read */
	bool ahead_prepare; /* the pipeline prepares it too */
};

struct stmt_slot {
	const char *sql; /* NULL: empty slot */
	struct pg_stmt *stmt;
};

struct pg_db {
	struct db base;
	PGconn *conn;
	char *conninfo;
	unsigned long next_name;
	/* The connection was lost inside a transaction: every call fails
	 * until the caller rolls back (or begins anew), so nothing it does
	 * next runs outside the transaction it thinks it is in. */
	bool lost_in_transaction;
	struct stmt_slot *slots;
	size_t slot_count;
	size_t slot_used;
	/* db_prefetch: the statements sent in the open pipeline, in order,
	 * then those holding a result sent ahead that no step took yet. */
	struct pg_stmt *in_flight[PREFETCH_MAX];
	int in_flight_count;
	struct pg_stmt *ahead[PREFETCH_MAX];
	int ahead_count;
	/* db_deferrable: writes sent in the open pipeline, their answers not
	 * read yet. */
	int deferred_count;
};

static const struct db_driver pgsql_driver;

static void ahead_collect(struct pg_db *p);
static void ahead_drop_all(struct pg_db *p);
static PGresult *pipeline_next(PGconn *conn);
static int deferred_flush(struct pg_db *p);
static int commit_pipelined(struct pg_db *p);
static int begin_pipelined(struct pg_db *p, bool write);

static struct pg_db *as_pg(db *d)
{
	return (struct pg_db *)d;
}

static struct pg_stmt *as_stmt(db_stmt *s)
{
	return (struct pg_stmt *)s;
}

/* ---- errors ---- */

/* Copies msg without its trailing newline(s) into d's error. */
static void error_set_trimmed(db *d, const char *msg)
{
	size_t len = strlen(msg);

	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	db_set_error(d, "%.*s", (int)(len < DB_ERROR_MAX ? len :
	    DB_ERROR_MAX - 1), msg);
}

/* Records why res (or the connection, when res is NULL) failed and
 * returns the DB_* code. A connection that went bad is always DB_CONN. */
static int fail_from_result(struct pg_db *p, const PGresult *res)
{
	int code = DB_ERROR;

	if (res != NULL && libpq.PQresultErrorMessage(res)[0] != '\0') {
		const char *primary = libpq.PQresultErrorField(res,
		    PG_DIAG_MESSAGE_PRIMARY);

		code = pgsql_code_from_sqlstate(libpq.PQresultErrorField(res,
		    PG_DIAG_SQLSTATE));
		error_set_trimmed(&p->base, primary != NULL ? primary :
		    libpq.PQresultErrorMessage(res));
	} else {
		error_set_trimmed(&p->base, libpq.PQerrorMessage(p->conn));
	}
	if (libpq.PQstatus(p->conn) != CONNECTION_OK) {
		if (res == NULL || code == DB_ERROR)
			error_set_trimmed(&p->base, libpq.PQerrorMessage(p->conn));
		db_prefix_error(&p->base, "lost the connection to PostgreSQL");
		code = DB_CONN;
	}
	return code;
}

/* ---- statement cache: open addressing, linear probing ---- */

static size_t slot_hash(const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql;

	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return (size_t)h;
}

static struct stmt_slot *slot_find(struct stmt_slot *slots, size_t count,
    const char *sql)
{
	size_t i = slot_hash(sql) & (count - 1);

	while (slots[i].sql != NULL && slots[i].sql != sql)
		i = (i + 1) & (count - 1);
	return &slots[i];
}

/* Keeps the table at most half full, so probes stay short. */
static int cache_reserve(struct pg_db *p)
{
	size_t count, i;
	struct stmt_slot *slots;

	if ((p->slot_used + 1) * 2 <= p->slot_count)
		return DB_OK;
	count = p->slot_count ? p->slot_count * 2 : STMT_CACHE_INITIAL;
	slots = calloc(count, sizeof *slots);
	if (slots == NULL) {
		db_set_error(&p->base, "out of memory");
		return DB_NOMEM;
	}
	for (i = 0; i < p->slot_count; i++)
		if (p->slots[i].sql != NULL)
			*slot_find(slots, count, p->slots[i].sql) = p->slots[i];
	free(p->slots);
	p->slots = slots;
	p->slot_count = count;
	return DB_OK;
}

static void params_clear(struct pg_stmt *st)
{
	int i;

	for (i = 0; i < st->nparams; i++) {
		free(st->params[i].heap);
		memset(&st->params[i], 0, sizeof st->params[i]);
	}
}

/* Forgets the result of the last execution (not the bindings). */
static void result_clear(struct pg_stmt *st)
{
	libpq.PQclear(st->result);
	st->result = NULL;
	st->row = -1;
	libpq.PQfreemem(st->blob);
	st->blob = NULL;
}

static void ahead_clear(struct pg_stmt *st)
{
	libpq.PQclear(st->ahead);
	st->ahead = NULL;
	free(st->ahead_key);
	st->ahead_key = NULL;
	st->ahead_key_len = 0;
}

static void stmt_free(struct pg_stmt *st)
{
	if (st == NULL)
		return;
	ahead_clear(st);
	result_clear(st);
	params_clear(st);
	free(st->params);
	free(st->prepared_types);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st);
}

static void cache_clear(struct pg_db *p)
{
	size_t i;

	for (i = 0; i < p->slot_count; i++)
		stmt_free(p->slots[i].stmt);
	free(p->slots);
	p->slots = NULL;
	p->slot_count = p->slot_used = 0;
}

/* After a reconnect no statement exists on the server any more. */
static void cache_forget_prepared(struct pg_db *p)
{
	size_t i;

	for (i = 0; i < p->slot_count; i++)
		if (p->slots[i].stmt != NULL)
			p->slots[i].stmt->name[0] = '\0';
}

/* ---- connection ---- */

static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Opens a new connection from p->conninfo; DB_OK or DB_CONN with the
 * reason in err (or in p's error when err is NULL). */
static int connection_open(struct pg_db *p, char *err, size_t errlen)
{
	/* Ours come first: the URL's own settings override them.
	 * Generic plans: a statement is written once for every filter
	 * ("$3 = 0 OR t.department_id = $3"), so PostgreSQL's estimate of
	 * a generic plan is always worse than a custom one, and it planned
	 * the staff queue again at each execution, which cost more than
	 * running it (1,110 against 2,380-2,670 queue pages/s at a million
	 * tickets; no page or write of bench/run was slower). */
	const char *const keys[] = {"connect_timeout", "application_name",
	    "options", "dbname", NULL};
	const char *const values[] = {"10", "chamado",
	    "-c plan_cache_mode=force_generic_plan", p->conninfo, NULL};

	p->conn = libpq.PQconnectdbParams(keys, values, 1);
	if (p->conn != NULL && libpq.PQstatus(p->conn) == CONNECTION_OK) {
		libpq.PQsetNoticeProcessor(p->conn, notice_ignore, NULL);
		return DB_OK;
	}
	if (err != NULL) {
		const char *msg = p->conn != NULL ? libpq.PQerrorMessage(p->conn) :
		    "out of memory";
		size_t len = strlen(msg);

		while (len > 0 && msg[len - 1] == '\n')
			len--;
		snprintf(err, errlen, "cannot connect to PostgreSQL: %.*s",
		    (int)len, msg);
	} else {
		error_set_trimmed(&p->base, p->conn != NULL ?
		    libpq.PQerrorMessage(p->conn) : "out of memory");
		db_prefix_error(&p->base, "cannot connect to PostgreSQL");
	}
	libpq.PQfinish(p->conn);
	p->conn = NULL;
	return DB_CONN;
}

/* Replaces a connection that is gone with a new one. Statements of the
 * old connection no longer exist on the server. */
static int connection_renew(struct pg_db *p)
{
	libpq.PQfinish(p->conn);
	p->conn = NULL;
	cache_forget_prepared(p);
	return connection_open(p, NULL, 0);
}

/* Reads whatever an idle connection has waiting, without blocking: a
 * server that shuts down sends an error and then closes the socket, and
 * libpq marks the connection bad only when it reads the end of file. */
static void connection_drain(PGconn *conn)
{
	struct pollfd pfd = {.fd = libpq.PQsocket(conn), .events = POLLIN};
	int rounds;

	for (rounds = 0; rounds < 8 && libpq.PQstatus(conn) == CONNECTION_OK &&
	    pfd.fd >= 0 && poll(&pfd, 1, 0) > 0; rounds++)
		if (libpq.PQconsumeInput(conn) == 0)
			break;
}

/* Makes sure there is a live connection before a call sends anything.
 * Between transactions a connection the server closed (a restart, an
 * administrator) is replaced at once; PQconsumeInput reads what the server
 * said without blocking, and notices EOF. Inside a transaction a lost
 * connection is an error: the transaction is gone with it. */
static int connection_ready(struct pg_db *p)
{
	PGTransactionStatusType ts;

	if (p->lost_in_transaction) {
		db_set_error(&p->base, "lost the connection to PostgreSQL "
		    "inside a transaction; roll back first");
		return DB_CONN;
	}
	if (p->conn == NULL)
		return connection_renew(p);
	ts = libpq.PQtransactionStatus(p->conn);
	if (ts == PQTRANS_IDLE)
		connection_drain(p->conn);
	if (libpq.PQstatus(p->conn) == CONNECTION_OK)
		return DB_OK;
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		p->lost_in_transaction = true;
		db_set_error(&p->base, "lost the connection to PostgreSQL "
		    "inside a transaction");
		return DB_CONN;
	}
	return connection_renew(p);
}

static void pg_close(db *d)
{
	struct pg_db *p = as_pg(d);

	cache_clear(p);
	libpq.PQfinish(p->conn);
	free(p->conninfo);
	free(p);
}

static bool pg_in_transaction(db *d)
{
	struct pg_db *p = as_pg(d);
	PGTransactionStatusType ts;

	if (p->lost_in_transaction)
		return true;
	ahead_collect(p);
	if (p->conn == NULL || libpq.PQstatus(p->conn) != CONNECTION_OK)
		return false;
	ts = libpq.PQtransactionStatus(p->conn);
	return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR ||
	    ts == PQTRANS_ACTIVE;
}

/* COMMIT of a transaction that an error aborted is answered "ROLLBACK"
 * by the server; COMMIT outside a transaction only warns. Both are
 * failures for our callers, as they are in SQLite. */
static int commit_check(struct pg_db *p)
{
	PGTransactionStatusType ts = libpq.PQtransactionStatus(p->conn);
	PGresult *res;

	if (ts == PQTRANS_IDLE) {
		db_set_error(&p->base, "cannot commit - no transaction is "
		    "active");
		return DB_ERROR;
	}
	if (ts == PQTRANS_INERROR) {
		res = libpq.PQexec(p->conn, "ROLLBACK");
		libpq.PQclear(res);
		db_set_error(&p->base, "cannot commit: an earlier statement "
		    "failed and the transaction was rolled back");
		return DB_ERROR;
	}
	return DB_OK;
}

static int pg_exec(db *d, const char *sql)
{
	struct pg_db *p = as_pg(d);
	PGresult *res;
	ExecStatusType status;
	bool was_in_transaction;
	char *text;
	int rc;

	ahead_drop_all(p);
	if (p->deferred_count > 0 && p->conn != NULL) {
		if (strcmp(sql, "COMMIT") == 0)
			return commit_pipelined(p);
		rc = deferred_flush(p);
		if (rc < 0 && strcmp(sql, "ROLLBACK") != 0)
			return rc;
	}
	if (p->lost_in_transaction && (strcmp(sql, "ROLLBACK") == 0 ||
	    strncmp(sql, "BEGIN", 5) == 0)) {
		p->lost_in_transaction = false;
		if (sql[0] == 'R')
			return DB_OK; /* the server rolled it back already */
	}
	rc = connection_ready(p);
	if (rc < 0)
		return rc;
	was_in_transaction = pg_in_transaction(d);
	if (!was_in_transaction && (sql == pgsql_driver.begin_sql ||
	    sql == pgsql_driver.begin_write_sql))
		return begin_pipelined(p, sql == pgsql_driver.begin_write_sql);
	if (strcmp(sql, "COMMIT") == 0 && (rc = commit_check(p)) < 0)
		return rc;
	text = pgsql_dialect_rewrite(sql);
	if (text == NULL) {
		db_set_error(d, "out of memory");
		return DB_NOMEM;
	}
	res = libpq.PQexec(p->conn, text);
	free(text);
	status = libpq.PQresultStatus(res);
	if (res != NULL && (status == PGRES_COMMAND_OK ||
	    status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)) {
		rc = DB_OK;
		if (strcmp(sql, "COMMIT") == 0 &&
		    strcmp(libpq.PQcmdStatus(res), "ROLLBACK") == 0) {
			db_set_error(d, "the transaction was rolled back");
			rc = DB_ERROR;
		}
	} else {
		rc = fail_from_result(p, res);
		if (rc == DB_CONN && was_in_transaction &&
		    strcmp(sql, "COMMIT") != 0 && strcmp(sql, "ROLLBACK") != 0)
			p->lost_in_transaction = true;
	}
	libpq.PQclear(res);
	return rc;
}

/* ---- statements ---- */

static db_stmt *pg_prepare(db *d, const char *sql)
{
	struct pg_db *p = as_pg(d);
	struct stmt_slot *slot;
	struct pg_stmt *st;
	int n;

	if (p->slot_count != 0) {
		slot = slot_find(p->slots, p->slot_count, sql);
		if (slot->sql != NULL) {
			result_clear(slot->stmt);
			params_clear(slot->stmt);
			return &slot->stmt->base;
		}
	}
	n = pgsql_placeholders_count(sql);
	if (n < 0) {
		db_set_error(d, "too many parameters (over %d): %.60s",
		    PGSQL_PARAMS_MAX, sql);
		return NULL;
	}
	if (cache_reserve(p) < 0)
		return NULL;
	st = calloc(1, sizeof *st);
	if (st == NULL)
		goto nomem;
	st->base.owner = d;
	st->sql = sql;
	st->nparams = n;
	st->row = -1;
	if (n > 0) {
		st->params = calloc((size_t)n, sizeof *st->params);
		st->prepared_types = calloc((size_t)n, sizeof(Oid));
		st->values = calloc((size_t)n, sizeof *st->values);
		st->lengths = calloc((size_t)n, sizeof *st->lengths);
		st->formats = calloc((size_t)n, sizeof *st->formats);
		st->types = calloc((size_t)n, sizeof *st->types);
		if (st->params == NULL || st->prepared_types == NULL ||
		    st->values == NULL || st->lengths == NULL ||
		    st->formats == NULL || st->types == NULL)
			goto nomem;
	}
	slot = slot_find(p->slots, p->slot_count, sql);
	slot->sql = sql;
	slot->stmt = st;
	p->slot_used++;
	return &st->base;
nomem:
	stmt_free(st);
	db_set_error(d, "out of memory");
	return NULL;
}

/* The parameter slot for index, or NULL after setting the error. A new
 * binding ends the previous execution, as sqlite3_bind does not allow
 * binding mid-statement either. */
static struct pg_param *param_at(db_stmt *s, int index)
{
	struct pg_stmt *st = as_stmt(s);
	struct pg_param *pm;

	if (index < 1 || index > st->nparams) {
		db_set_error(s->owner, "cannot bind parameter %d: column "
		    "index out of range", index);
		return NULL;
	}
	result_clear(st);
	pm = &st->params[index - 1];
	free(pm->heap);
	memset(pm, 0, sizeof *pm);
	pm->bound = true;
	return pm;
}

static int pg_bind_int(db_stmt *s, int index, int64_t value)
{
	struct pg_param *pm = param_at(s, index);

	if (pm == NULL)
		return DB_ERROR;
	pm->type = OID_INT8;
	/* Without printf: a ticket page binds some 30 numbers. */
	pm->value = str_from_int64(pm->number, value);
	return DB_OK;
}

static int pg_bind_copy(db_stmt *s, int index, Oid type, const void *data,
    size_t len, int format)
{
	struct pg_param *pm = param_at(s, index);

	if (pm == NULL)
		return DB_ERROR;
	if (len > INT32_MAX - 1) {
		db_set_error(s->owner, "cannot bind parameter %d: too large",
		    index);
		return DB_ERROR;
	}
	pm->heap = malloc(len + 1);
	if (pm->heap == NULL) {
		db_set_error(s->owner, "out of memory");
		return DB_NOMEM;
	}
	if (len > 0)
		memcpy(pm->heap, data, len);
	pm->heap[len] = '\0';
	pm->type = type;
	pm->value = pm->heap;
	pm->length = (int)len;
	pm->format = format;
	return DB_OK;
}

static int pg_bind_text(db_stmt *s, int index, const char *text)
{
	return pg_bind_copy(s, index, 0, text, strlen(text), 0);
}

static int pg_bind_blob(db_stmt *s, int index, const void *data, size_t len)
{
	return pg_bind_copy(s, index, OID_BYTEA, data, len, 1);
}

static int pg_bind_null(db_stmt *s, int index)
{
	return param_at(s, index) != NULL ? DB_OK : DB_ERROR;
}

/* True when the statement must be prepared (again) for the types bound
 * now: it is not prepared on this connection, or a parameter is bound to
 * a type its prepared form left to inference or fixed differently. In
 * that case types[] receives the types to prepare with, keeping what the
 * previous form knew for the parameters bound NULL or as text now. */
static bool stmt_needs_prepare(struct pg_stmt *st)
{
	bool again = st->name[0] == '\0';
	int i;

	for (i = 0; i < st->nparams; i++) {
		Oid now = st->params[i].type;

		if (now == OID_INT8 && st->infer_ints)
			now = 0;
		st->types[i] = now != 0 ? now : st->prepared_types[i];
		if (now != 0 && now != st->prepared_types[i])
			again = true;
	}
	return again;
}

static bool ints_typed(const struct pg_stmt *st)
{
	int i;

	for (i = 0; i < st->nparams; i++)
		if (st->types[i] == OID_INT8)
			return true;
	return false;
}

static bool sqlstate_is(const PGresult *r, const char *state)
{
	const char *s = libpq.PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return s != NULL && strcmp(s, state) == 0;
}

/* One result per query sent in the pipeline, then the sync. Returns the
 * results in res[] (the caller clears them); false when the connection
 * failed on the way. */
static bool pipeline_collect(PGconn *conn, PGresult **res, int count)
{
	PGresult *r;
	bool ok = true;
	int i;

	for (i = 0; i < count; i++) {
		res[i] = libpq.PQgetResult(conn);
		if (res[i] == NULL) {
			ok = false;
			break;
		}
		/* Each query's results end with a NULL. */
		while ((r = libpq.PQgetResult(conn)) != NULL)
			libpq.PQclear(r);
	}
	if (!ok)
		return false;
	r = libpq.PQgetResult(conn);
	if (r == NULL || libpq.PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
		libpq.PQclear(r);
		return false;
	}
	libpq.PQclear(r);
	return libpq.PQexitPipelineMode(conn) == 1;
}

static bool result_ok(const PGresult *r)
{
	ExecStatusType st = libpq.PQresultStatus(r);

	return r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

/* Fills the arrays libpq takes from the bound parameters, and names the
 * statement anew when it must be prepared (stmt_needs_prepare): true then. */
static bool stmt_arrays_fill(struct pg_db *p, struct pg_stmt *st)
{
	bool prepare = stmt_needs_prepare(st);
	int i;

	if (prepare)
		snprintf(st->name, sizeof st->name, "chamado_%lu",
		    ++p->next_name);
	for (i = 0; i < st->nparams; i++) {
		st->values[i] = st->params[i].value;
		st->lengths[i] = st->params[i].length;
		st->formats[i] = st->params[i].format;
	}
	return prepare;
}

/* The connection failed while statements were out: it is dropped, and
 * inside a transaction every call fails until the caller rolls back. */
static int connection_broken(struct pg_db *p, bool in_transaction)
{
	int rc = fail_from_result(p, NULL);

	if (rc != DB_CONN) {
		db_prefix_error(&p->base, "lost the connection to PostgreSQL");
		rc = DB_CONN;
	}
	libpq.PQfinish(p->conn);
	p->conn = NULL;
	cache_forget_prepared(p);
	p->deferred_count = 0;
	p->lost_in_transaction = in_transaction;
	return rc;
}

/* ---- writes sent without waiting (db_deferrable) ---- */

/* Reads the answers to the deferred writes, in order, once the sync that
 * follows them is sent: DB_OK, the first failure's code (its message
 * kept; the writes after it were skipped), or DB_CONN. */
static int deferred_take(struct pg_db *p)
{
	int rc = DB_OK;

	for (; p->deferred_count > 0; p->deferred_count--) {
		PGresult *r = pipeline_next(p->conn);

		if (r == NULL)
			return DB_CONN;
		if (rc == DB_OK && !result_ok(r))
			rc = fail_from_result(p, r);
		libpq.PQclear(r);
	}
	return rc;
}

/* Reads the sync's answer and leaves pipeline mode: false when the
 * connection failed. */
static bool pipeline_end(PGconn *conn)
{
	PGresult *r = libpq.PQgetResult(conn);
	bool synced = r != NULL && libpq.PQresultStatus(r) == PGRES_PIPELINE_SYNC;

	libpq.PQclear(r);
	return synced && libpq.PQexitPipelineMode(conn) == 1;
}

/* Ends the deferred writes' pipeline with a sync and reads their answers. */
static int deferred_flush(struct pg_db *p)
{
	int rc;

	if (p->deferred_count == 0)
		return DB_OK;
	if (libpq.PQpipelineSync(p->conn) != 1)
		return connection_broken(p, true);
	rc = deferred_take(p);
	if (rc == DB_CONN || !pipeline_end(p->conn))
		return connection_broken(p, true);
	return rc;
}

/* Sends st's execution into the pipeline without reading its answer. */
static int stmt_defer(struct pg_db *p, struct pg_stmt *st)
{
	int rc = p->deferred_count < DEFERRED_MAX ? DB_OK : deferred_flush(p);

	if (rc < 0)
		return rc;
	stmt_arrays_fill(p, st); /* prepared already: names nothing anew */
	if (libpq.PQenterPipelineMode(p->conn) != 1 ||
	    libpq.PQsendQueryPrepared(p->conn, st->name, st->nparams, st->values,
	    st->lengths, st->formats, 0) != 1)
		return connection_broken(p, true);
	p->deferred_count++;
	return DB_DONE;
}

/* BEGIN, and the write lock for begin_write, sent as deferred writes: the
 * transaction's first statement brings their answers back with its own, and
 * reports their failure as its own (the pipeline skips it). Each write
 * transaction had spent a round trip on them alone, a reply's inside the
 * lock it had just taken. */
static int begin_pipelined(struct pg_db *p, bool write)
{
	if (libpq.PQenterPipelineMode(p->conn) != 1 ||
	    libpq.PQsendQueryParams(p->conn, "BEGIN", 0, NULL, NULL, NULL, NULL,
	    0) != 1)
		return connection_broken(p, false);
	p->deferred_count++;
	if (!write)
		return DB_OK;
	if (libpq.PQsendQueryParams(p->conn, WRITE_LOCK_SQL, 0, NULL, NULL,
	    NULL, NULL, 0) != 1)
		return connection_broken(p, false);
	p->deferred_count++;
	return DB_OK;
}

/* COMMIT after deferred writes, in their pipeline: one round trip. A
 * failed write aborted the transaction; its failure is the COMMIT's, and
 * the caller rolls back. */
static int commit_pipelined(struct pg_db *p)
{
	PGresult *r;
	int rc;

	if (libpq.PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL, NULL,
	    0) != 1 || libpq.PQpipelineSync(p->conn) != 1)
		return connection_broken(p, true);
	rc = deferred_take(p);
	r = rc == DB_CONN ? NULL : pipeline_next(p->conn);
	if (r == NULL)
		return connection_broken(p, true);
	if (rc == DB_OK && !result_ok(r))
		rc = fail_from_result(p, r);
	else if (rc == DB_OK && strcmp(libpq.PQcmdStatus(r), "ROLLBACK") == 0) {
		db_set_error(&p->base, "the transaction was rolled back");
		rc = DB_ERROR;
	}
	libpq.PQclear(r);
	if (!pipeline_end(p->conn))
		return connection_broken(p, true);
	return rc;
}

/* Sends, in one round trip: [SAVEPOINT] [prepare] execute [RELEASE] sync.
 * On success the execution's result is st->result. The savepoint guards a
 * recoverable statement (db_recoverable) inside a transaction: on failure
 * it is rolled back, so the transaction goes on as if the statement had
 * not run. Three statements for each write had cost openings a fifth or
 * more of their rate, so the others go alone, and their failure leaves the
 * transaction to be rolled back. */
static int stmt_run(struct pg_db *p, struct pg_stmt *st)
{
	enum { MAX_QUERIES = 4 };
	PGresult *res[MAX_QUERIES] = {NULL};
	bool in_transaction = pg_in_transaction(&p->base);
	bool prepare = stmt_arrays_fill(p, st);
	/* A first preparation may fail for the integers' types and be tried
	 * again (retry_inferring below): inside a transaction only a
	 * savepoint lets the transaction go on after it. */
	bool guard = in_transaction && (st->base.recoverable || prepare);
	int count = 0, exec_at, prepare_at = -1, rc = DB_OK, i;
	bool sent, retry_inferring = false;

	sent = libpq.PQenterPipelineMode(p->conn) == 1;
	if (sent && guard) {
		sent = libpq.PQsendQueryParams(p->conn, "SAVEPOINT " SAVEPOINT_NAME,
		    0, NULL, NULL, NULL, NULL, 0) == 1;
		count++;
	}
	if (sent && prepare) {
		sent = libpq.PQsendPrepare(p->conn, st->name, st->sql, st->nparams,
		    st->types) == 1;
		prepare_at = count++;
	}
	exec_at = count++;
	if (sent)
		sent = libpq.PQsendQueryPrepared(p->conn, st->name, st->nparams,
		    st->values, st->lengths, st->formats, 0) == 1;
	if (sent && guard) {
		sent = libpq.PQsendQueryParams(p->conn,
		    "RELEASE SAVEPOINT " SAVEPOINT_NAME, 0, NULL, NULL, NULL,
		    NULL, 0) == 1;
		count++;
	}
	if (sent)
		sent = libpq.PQpipelineSync(p->conn) == 1;
	/* The deferred writes sent before it answer first (db_deferrable). */
	int deferred_rc = sent ? deferred_take(p) : DB_OK;
	if (deferred_rc == DB_CONN)
		sent = false;
	if (!sent || !pipeline_collect(p->conn, res, count)) {
		/* Whatever state the connection is in, it is not usable. */
		rc = connection_broken(p, in_transaction);
		goto out;
	}
	if (deferred_rc < 0) {
		/* The transaction is aborted; this statement was skipped. */
		rc = deferred_rc;
		if (prepare)
			st->name[0] = '\0';
		goto out;
	}
	if (prepare_at >= 0 && !result_ok(res[prepare_at])) {
		rc = fail_from_result(p, res[prepare_at]);
		st->name[0] = '\0';
		retry_inferring = !st->infer_ints && ints_typed(st) &&
		    sqlstate_is(res[prepare_at], "42883");
	} else if (!result_ok(res[exec_at])) {
		rc = fail_from_result(p, res[exec_at]);
	}
	if (rc == DB_OK && prepare && st->nparams > 0)
		memcpy(st->prepared_types, st->types,
		    (size_t)st->nparams * sizeof(Oid));
	if (rc < 0 && prepare)
		st->name[0] = '\0'; /* a new name next time, to be sure */
	if (rc == DB_OK) {
		st->result = res[exec_at];
		res[exec_at] = NULL;
	} else if (guard && libpq.PQstatus(p->conn) == CONNECTION_OK) {
		PGresult *undo = libpq.PQexec(p->conn, "ROLLBACK TO SAVEPOINT "
		    SAVEPOINT_NAME "; RELEASE SAVEPOINT " SAVEPOINT_NAME);

		libpq.PQclear(undo);
	}
out:
	for (i = 0; i < count && i < MAX_QUERIES; i++)
		libpq.PQclear(res[i]);
	if (retry_inferring && libpq.PQstatus(p->conn) == CONNECTION_OK) {
		/* "function f(bigint) does not exist": let the server type
		 * the integers, as it would type an integer literal. */
		st->infer_ints = true;
		memset(st->prepared_types, 0,
		    (size_t)st->nparams * sizeof(Oid));
		return stmt_run(p, st);
	}
	return rc;
}

/* ---- statements sent ahead (db_prefetch) ---- */

static size_t param_length(const struct pg_param *pm)
{
	if (pm->value == NULL)
		return 0;
	return pm->format == 1 ? (size_t)pm->length : strlen(pm->value);
}

/* The parameters as bound now, as bytes to compare; NULL when out of
 * memory. */
static char *params_key(const struct pg_stmt *st, size_t *key_len)
{
	size_t total = 1, len;
	char *key, *w;
	int i;

	for (i = 0; i < st->nparams; i++)
		total += sizeof(Oid) + 2 + sizeof len +
		    param_length(&st->params[i]);
	key = malloc(total);
	if (key == NULL)
		return NULL;
	w = key;
	for (i = 0; i < st->nparams; i++) {
		const struct pg_param *pm = &st->params[i];

		len = param_length(pm);
		memcpy(w, &pm->type, sizeof(Oid));
		w += sizeof(Oid);
		*w++ = (char)pm->format;
		*w++ = pm->value == NULL;
		memcpy(w, &len, sizeof len);
		w += sizeof len;
		if (len > 0)
			memcpy(w, pm->value, len);
		w += len;
	}
	*w = '\0';
	*key_len = total;
	return key;
}

/* The connection broke while statements were out: none of them counts. */
static void ahead_abandon(struct pg_db *p)
{
	int i;

	for (i = 0; i < p->in_flight_count; i++) {
		p->in_flight[i]->in_flight = false;
		ahead_clear(p->in_flight[i]);
	}
	p->in_flight_count = 0;
	for (i = 0; i < p->ahead_count; i++)
		ahead_clear(p->ahead[i]);
	p->ahead_count = 0;
	libpq.PQfinish(p->conn);
	p->conn = NULL;
	cache_forget_prepared(p);
}

/* The next query's result in the pipeline, its trailing NULL read; NULL
 * when the connection failed. */
static PGresult *pipeline_next(PGconn *conn)
{
	PGresult *r = libpq.PQgetResult(conn), *more;

	if (r != NULL)
		while ((more = libpq.PQgetResult(conn)) != NULL)
			libpq.PQclear(more);
	return r;
}

/* Ends the open pipeline: each statement sent ahead keeps its result for
 * the step that asks for it. A statement that failed keeps none, and its
 * step runs it again and reports the error as usual. */
static void ahead_collect(struct pg_db *p)
{
	int i, n = p->in_flight_count;
	PGresult *r;

	if (n == 0)
		return;
	if (libpq.PQpipelineSync(p->conn) != 1) {
		ahead_abandon(p);
		return;
	}
	for (i = 0; i < n; i++) {
		struct pg_stmt *st = p->in_flight[i];

		if (st->ahead_prepare) {
			r = pipeline_next(p->conn);
			if (r == NULL) {
				ahead_abandon(p);
				return;
			}
			if (result_ok(r) && st->nparams > 0)
				memcpy(st->prepared_types, st->types,
				    (size_t)st->nparams * sizeof(Oid));
			else if (!result_ok(r))
				st->name[0] = '\0';
			libpq.PQclear(r);
		}
		r = pipeline_next(p->conn);
		if (r == NULL) {
			ahead_abandon(p);
			return;
		}
		st->in_flight = false;
		if (result_ok(r) && st->name[0] != '\0' &&
		    p->ahead_count < PREFETCH_MAX) {
			st->ahead = r;
			p->ahead[p->ahead_count++] = st;
		} else {
			libpq.PQclear(r);
			ahead_clear(st);
		}
	}
	p->in_flight_count = 0;
	r = libpq.PQgetResult(p->conn);
	if (r == NULL || libpq.PQresultStatus(r) != PGRES_PIPELINE_SYNC ||
	    libpq.PQexitPipelineMode(p->conn) != 1) {
		libpq.PQclear(r);
		ahead_abandon(p);
		return;
	}
	libpq.PQclear(r);
}

/* What was sent ahead and not taken is dropped: a write, a transaction or
 * the request's end comes, after which it could be out of date. */
static void ahead_drop_all(struct pg_db *p)
{
	int i;

	ahead_collect(p);
	for (i = 0; i < p->ahead_count; i++)
		ahead_clear(p->ahead[i]);
	p->ahead_count = 0;
}

/* The result sent ahead becomes the statement's when it was sent with the
 * parameters bound now. */
static void ahead_take(struct pg_stmt *st)
{
	size_t len = 0;
	char *key = params_key(st, &len);

	if (key != NULL && len == st->ahead_key_len &&
	    memcmp(key, st->ahead_key, len) == 0) {
		result_clear(st);
		st->result = st->ahead;
		st->ahead = NULL;
	}
	free(key);
	ahead_clear(st);
}

static void pg_prefetch(db_stmt *s)
{
	struct pg_stmt *st = as_stmt(s);
	struct pg_db *p = as_pg(s->owner);
	bool prepare, sent;

	if (st->in_flight ||
	    p->in_flight_count + p->ahead_count >= PREFETCH_MAX)
		return;
	if (p->in_flight_count == 0) {
		/* Reads outside a transaction only: inside one the
		 * statements run under savepoints, one at a time. */
		if (connection_ready(p) < 0 || pg_in_transaction(s->owner) ||
		    libpq.PQenterPipelineMode(p->conn) != 1)
			return;
	}
	ahead_clear(st);
	st->ahead_key = params_key(st, &st->ahead_key_len);
	if (st->ahead_key == NULL) {
		if (p->in_flight_count == 0)
			libpq.PQexitPipelineMode(p->conn);
		return;
	}
	prepare = stmt_arrays_fill(p, st);
	sent = !prepare || libpq.PQsendPrepare(p->conn, st->name, st->sql,
	    st->nparams, st->types) == 1;
	if (sent)
		sent = libpq.PQsendQueryPrepared(p->conn, st->name, st->nparams,
		    st->values, st->lengths, st->formats, 0) == 1;
	st->in_flight = true;
	st->ahead_prepare = prepare;
	p->in_flight[p->in_flight_count++] = st;
	if (!sent)
		ahead_abandon(p);
}

/* A statement that is not a SELECT may change what was sent ahead. */
static bool sql_reads(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0;
}

static void pg_read_snapshot(db *d, bool on)
{
	(void)on;
	ahead_drop_all(as_pg(d));
}

static int pg_step(db_stmt *s)
{
	struct pg_stmt *st = as_stmt(s);
	struct pg_db *p = as_pg(s->owner);
	int rc;

	if (st->result == NULL) {
		/* A read stepped while others are out goes with them: the page's
		 * first query shares their round trip. */
		if (p->in_flight_count > 0 && !st->in_flight && sql_reads(st->sql))
			pg_prefetch(s);
		ahead_collect(p);
		if (st->ahead != NULL)
			ahead_take(st);
	}
	if (st->result == NULL) {
		if (!sql_reads(st->sql))
			ahead_drop_all(p);
		rc = connection_ready(p);
		if (rc < 0)
			return rc;
		if (st->base.deferrable && !st->base.recoverable &&
		    pg_in_transaction(s->owner) && !stmt_needs_prepare(st))
			return stmt_defer(p, st);
		rc = stmt_run(p, st);
		if (rc < 0)
			return rc;
	}
	libpq.PQfreemem(st->blob);
	st->blob = NULL;
	if (libpq.PQresultStatus(st->result) != PGRES_TUPLES_OK)
		return DB_DONE;
	if (st->row + 1 >= libpq.PQntuples(st->result)) {
		st->row = libpq.PQntuples(st->result);
		return DB_DONE;
	}
	st->row++;
	return DB_ROW;
}

/* True when col of the current row can be read. */
static bool col_valid(struct pg_stmt *st, int col)
{
	return st->result != NULL && st->row >= 0 &&
	    st->row < libpq.PQntuples(st->result) && col >= 0 &&
	    col < libpq.PQnfields(st->result);
}

static bool pg_col_null(db_stmt *s, int col)
{
	struct pg_stmt *st = as_stmt(s);

	return !col_valid(st, col) || libpq.PQgetisnull(st->result, st->row, col);
}

/* PostgreSQL's text form of an integer, "-?[0-9]+", without strtoll's
 * locale and base handling (a ticket page reads some 200 numbers). */
static int64_t decimal(const char *v)
{
	bool negative = *v == '-';
	uint64_t n = 0;
	for (v += negative; *v >= '0' && *v <= '9'; v++)
		n = n * 10 + (uint64_t)(*v - '0');
	return negative ? (int64_t)(0 - n) : (int64_t)n;
}

static int64_t pg_col_int(db_stmt *s, int col)
{
	struct pg_stmt *st = as_stmt(s);
	const char *v;

	if (pg_col_null(s, col))
		return 0;
	v = libpq.PQgetvalue(st->result, st->row, col);
	if (libpq.PQftype(st->result, col) == OID_BOOL)
		return v[0] == 't';
	return decimal(v);
}

static const char *pg_col_text(db_stmt *s, int col)
{
	struct pg_stmt *st = as_stmt(s);
	const char *v;

	if (pg_col_null(s, col))
		return "";
	v = libpq.PQgetvalue(st->result, st->row, col);
	if (libpq.PQftype(st->result, col) == OID_BOOL)
		return v[0] == 't' ? "1" : "0";
	return v;
}

/* Never returns NULL, so callers may memcpy an empty value safely. */
static const void *pg_col_blob(db_stmt *s, int col, size_t *len)
{
	struct pg_stmt *st = as_stmt(s);
	const char *v;
	size_t n = 0;

	if (len != NULL)
		*len = 0;
	if (pg_col_null(s, col))
		return "";
	v = libpq.PQgetvalue(st->result, st->row, col);
	if (libpq.PQftype(st->result, col) != OID_BYTEA) {
		if (len != NULL)
			*len = (size_t)libpq.PQgetlength(st->result, st->row, col);
		return v;
	}
	libpq.PQfreemem(st->blob);
	st->blob = libpq.PQunescapeBytea((const unsigned char *)v, &n);
	if (st->blob == NULL) {
		db_set_error(s->owner, "out of memory");
		return "";
	}
	if (len != NULL)
		*len = n;
	return st->blob;
}

static void pg_done(db_stmt *s)
{
	struct pg_stmt *st = as_stmt(s);

	result_clear(st);
	params_clear(st);
}

static int pg_table_exists(db *d, const char *table)
{
	db_stmt *st;
	int rc;

	st = db_prepare(d, "SELECT 1 FROM information_schema.tables "
	    "WHERE table_schema = current_schema() AND table_name = $1");
	if (st == NULL)
		return DB_ERROR;
	rc = db_bind_text(st, 1, table);
	if (rc == DB_OK)
		rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return rc;
	return rc == DB_ROW;
}

/* Migrations run under a session-wide advisory lock, so two nodes that
 * start at once apply them one after the other. */
static int pg_migrate_lock(db *d, bool lock)
{
	return pg_exec(d, lock ?
	    "SELECT pg_advisory_lock(" LOCK_CLASS ", " LOCK_MIGRATE ")" :
	    "SELECT pg_advisory_unlock(" LOCK_CLASS ", " LOCK_MIGRATE ")");
}

/* ---- opening ---- */

db *db_pgsql_open(const char *conninfo, char *err, size_t errlen)
{
	if (dynlib_load(&libpq_loader, err, errlen) < 0)
		return NULL;
	struct pg_db *p = calloc(1, sizeof *p);

	if (p == NULL || (p->conninfo = strdup(conninfo)) == NULL) {
		free(p);
		snprintf(err, errlen, "cannot open the database: out of memory");
		return NULL;
	}
	p->base.driver = &pgsql_driver;
	if (connection_open(p, err, errlen) < 0) {
		pg_close(&p->base);
		return NULL;
	}
	return &p->base;
}

static const struct db_driver pgsql_driver = {
	.name = "postgres",
	.begin_sql = "BEGIN",
	.begin_write_sql = "BEGIN; " WRITE_LOCK_SQL,
	.close = pg_close,
	.exec = pg_exec,
	.in_transaction = pg_in_transaction,
	.read_snapshot = pg_read_snapshot,
	.table_exists = pg_table_exists,
	.migrate_lock = pg_migrate_lock,
	.prepare = pg_prepare,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.prefetch = pg_prefetch,
	.step = pg_step,
	.col_null = pg_col_null,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.done = pg_done,
};
