/* The data generator behind `chamado demo --clients N --tickets N
 * --messages N`: a realistic pt-BR support history, written through the
 * normal store functions in large transactions, for benchmarks. */
#ifndef CHAMADO_GENERATOR_H
#define CHAMADO_GENERATOR_H

#include <stdint.h>

#include "store/db.h"

struct generator_opts {
	int64_t clients;
	int64_t tickets;
	int messages;     /* average per ticket */
	int64_t now;
	uint32_t seed;
	/* Called every few thousand tickets with the count so far. */
	void (*progress)(int64_t done, int64_t total, void *arg);
	void *arg;
};

/* Adds the clients (email clienteN@exemplo.com.br, password "cliente123"),
 * four agents, services and tickets with their threads. Ticket numbers are
 * seven digits so a million fit. 0, or < 0 with db_error(d). */
int generator_run(db *d, const struct generator_opts *o);

#endif
