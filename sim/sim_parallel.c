/* Row-parallel data effects: a matmul's or a requant's rows each write only their own
 * output row, so two halves can run on two threads (the machine model has 2 cores) with
 * results identical to one thread. The split is at an even row so the matmul's row
 * pairing, and so each row's exact instruction sequence, never changes. */
#include "sim/sim_internal.h"

#include <pthread.h>

/* Below this much work (MACs or elements) a second thread costs more than it saves. */
#define SIM_PARALLEL_WORK ((uint64_t)1 << 20)

typedef struct half_job {
    sim_rows_fn fn;
    void *ctx;
    uint64_t begin, end;
} half_job;

static void *run_half(void *job)
{
    half_job *h = job;
    h->fn(h->ctx, h->begin, h->end);
    return NULL;
}

void sim_parallel_rows(uint64_t rows, uint64_t work, sim_rows_fn fn, void *ctx)
{
    uint64_t half = (rows / 2) & ~(uint64_t)1;
    half_job second = {fn, ctx, half, rows};
    pthread_t helper;
    if (work >= SIM_PARALLEL_WORK && half > 0 && pthread_create(&helper, NULL, run_half, &second) == 0) {
        fn(ctx, 0, half);
        pthread_join(helper, NULL);
        return;
    }
    fn(ctx, 0, rows);
}
