/* SPDX-License-Identifier: Apache-2.0 */
/*
 * writer.c: batches of open days and the writer thread that writes them
 * while the parser fills the table again.
 */
#include "import/import_int.h"

#include "core/banned.h"

static int
cmp_open_day(const void *a_, const void *b_)
{
	const struct open_day *a = a_, *b = b_;

	return a->key < b->key ? -1 : a->key > b->key;
}

/* Sort the batch od[0..k) by key and write it; stops at the first error. */
static int
write_batch(struct ctx *c, struct open_day *od, size_t k,
    struct br_error *err)
{
	size_t i;

	if (k > 1)
		qsort(od, k, sizeof(*od), cmp_open_day);
	for (i = 0; i < k; i++)
		if (br_imp_day_write(c, od[i].a, err) != 0)
			return -1;
	return 0;
}

/* Hand the written days from to .. (linked by next_free) to the parser. */
static void
return_days(struct flusher *fl, struct day_acc *from, struct day_acc *to)
{
	if (from == NULL)
		return;
	pthread_mutex_lock(&fl->mu);
	to->next_free = fl->returned;
	fl->returned = from;
	pthread_mutex_unlock(&fl->mu);
}

#define RETURN_DAYS 256		/* days the writer returns at a time */

/* write_batch on the writer thread, returning the days as it goes. */
static int
write_batch_returning(struct ctx *c, struct flusher *fl,
    struct br_error *err)
{
	struct open_day *od = fl->batch;
	struct day_acc *head = NULL, *tail = NULL;
	size_t i, k = fl->nbatch, n = 0;
	int rc = 0;

	if (k > 1)
		qsort(od, k, sizeof(*od), cmp_open_day);
	for (i = 0; i < k; i++) {
		struct day_acc *a = od[i].a;
		if ((rc = br_imp_day_write(c, a, err)) != 0)
			break;
		free(a->sv);
		a->sv = NULL;
		a->next_free = head;
		head = a;
		if (tail == NULL)
			tail = a;
		od[i].a = NULL;
		if (++n == RETURN_DAYS) {
			return_days(fl, head, tail);
			head = tail = NULL;
			n = 0;
		}
	}
	return_days(fl, head, tail);
	return rc;
}

/* Take the days the writer has returned so far (parser). */
void
br_imp_take_returned(struct ctx *c)
{
	struct flusher *fl = c->fl;
	struct day_acc *a, *last;

	pthread_mutex_lock(&fl->mu);
	a = fl->returned;
	fl->returned = NULL;
	pthread_mutex_unlock(&fl->mu);
	if (a == NULL)
		return;
	for (last = a; last->next_free != NULL; last = last->next_free)
		;
	last->next_free = c->free_days;
	c->free_days = a;
}

/* Give the written batch's day buffers back to the free list. */
static void
reclaim_days(struct ctx *c, struct open_day *od, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		struct day_acc *a = od[i].a;
		if (a == NULL)
			continue;	/* returned by the writer */
		free(a->sv);
		a->sv = NULL;
		a->next_free = c->free_days;
		c->free_days = a;
		od[i].a = NULL;
	}
}

/* Move the open days to dst[0..k) (dst may be c->slots); empty the table. */
static size_t
take_days(struct ctx *c, struct open_day *dst)
{
	size_t i, k = 0;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i].a != NULL) {
			struct open_day od = c->slots[i];
			c->slots[i].a = NULL;
			dst[k++] = od;
		}
	c->count = 0;
	c->last = NULL;
	return k;
}

static void *
flusher_main(void *arg)
{
	struct ctx *c = arg;
	struct flusher *fl = c->fl;
	int rc;

	pthread_mutex_lock(&fl->mu);
	for (;;) {
		while (!fl->busy && !fl->quit)
			pthread_cond_wait(&fl->cv, &fl->mu);
		if (!fl->busy)
			break;
		pthread_mutex_unlock(&fl->mu);
		br_error_clear(&fl->err);
		rc = write_batch_returning(c, fl, &fl->err);
		pthread_mutex_lock(&fl->mu);
		fl->rc = rc;
		fl->busy = false;
		pthread_cond_broadcast(&fl->cv);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

/*
 * Wait until the writer has written the batch it holds (if any) and
 * reclaim its days.  The batch's error becomes this call's, placed where
 * the parser was when it handed the batch over (as a flush inline there
 * would have reported it).
 */
int
br_imp_flusher_wait(struct ctx *c, struct br_error *err)
{
	struct flusher *fl = c->fl;

	if (fl == NULL || !fl->started)
		return 0;
	pthread_mutex_lock(&fl->mu);
	while (fl->busy)
		pthread_cond_wait(&fl->cv, &fl->mu);
	pthread_mutex_unlock(&fl->mu);
	br_imp_take_returned(c);
	reclaim_days(c, fl->batch, fl->nbatch);
	fl->nbatch = 0;
	if (fl->rc != 0) {
		fl->rc = 0;
		if (err != NULL) {
			*err = fl->err;
			if (err->file[0] == '\0' && fl->file[0] != '\0') {
				snprintf(err->file, sizeof(err->file), "%s",
				    fl->file);
				err->line = fl->line;
			}
		}
		return -1;
	}
	return 0;
}

/* Wait for the writer (errors dropped: the caller has one) and end it. */
void
br_imp_flusher_stop(struct ctx *c)
{
	struct flusher *fl = c->fl;

	if (fl == NULL)
		return;
	if (fl->started) {
		(void)br_imp_flusher_wait(c, NULL);
		pthread_mutex_lock(&fl->mu);
		fl->quit = true;
		pthread_cond_broadcast(&fl->cv);
		pthread_mutex_unlock(&fl->mu);
		pthread_join(fl->thread, NULL);
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
	}
	free(fl->batch);
	free(fl);
	c->fl = NULL;
}

/* Write every open day (in key order) and empty the table. */
int
br_imp_flush_days(struct ctx *c, struct br_error *err)
{
	size_t k;
	int rc;

	if (br_imp_flusher_wait(c, err) != 0)
		return -1;
	k = take_days(c, c->slots);
	rc = write_batch(c, c->slots, k, err);
	reclaim_days(c, c->slots, k);
	return rc;
}

/*
 * Start the writer thread (once per file).  Returns false when batches
 * are to be written inline: threads not wanted or not available.
 */
static bool
flusher_start(struct ctx *c)
{
	struct flusher *fl;

	if (c->fl != NULL)
		return c->fl->started;
	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return false;
	c->fl = fl;
	if (c->o->no_writer_thread || !sqlite3_threadsafe())
		return false;
	if (pthread_mutex_init(&fl->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&fl->cv, NULL) != 0) {
		pthread_mutex_destroy(&fl->mu);
		return false;
	}
	if (pthread_create(&fl->thread, NULL, flusher_main, c) != 0) {
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
		return false;
	}
	fl->started = true;
	return true;
}

/*
 * The open-day table is full at record rec: hand its days to the writer
 * (after the previous batch is written) and go on parsing into the
 * emptied table; without the writer, write them here.
 */
int
br_imp_flush_days_async(struct ctx *c, const struct br_csv_record *rec,
    struct br_error *err)
{
	struct flusher *fl;

	if (!flusher_start(c))
		return br_imp_flush_days(c, err);
	fl = c->fl;
	if (br_imp_flusher_wait(c, err) != 0)
		return -1;
	if (fl->batch_cap < c->count) {
		void *p = realloc(fl->batch, c->count * sizeof(*fl->batch));
		if (p == NULL)
			return br_imp_flush_days(c, err);
		fl->batch = p;
		fl->batch_cap = c->count;
	}
	fl->nbatch = take_days(c, fl->batch);
	snprintf(fl->file, sizeof(fl->file), "%s", rec->file);
	fl->line = rec->line;
	pthread_mutex_lock(&fl->mu);
	fl->busy = true;
	pthread_cond_broadcast(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	return 0;
}

void
br_imp_free_days(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i].a != NULL) {
			free(c->slots[i].a->sv);
			if (!c->slots[i].a->pooled)
				free(c->slots[i].a);
		}
	free(c->slots);
	c->slots = NULL;
	c->cap = c->count = 0;
	c->last = NULL;
	while (c->free_days != NULL) {
		struct day_acc *a = c->free_days;
		c->free_days = a->next_free;
		if (!a->pooled)
			free(a);
	}
	for (i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	c->chunks = NULL;
	c->nchunks = c->chunk_cap = 0;
	c->chunk_at = c->chunk_end = NULL;
}
