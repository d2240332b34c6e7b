/*
 * The smallest client that does what ConnectCloseBenchmark does: socket, SO_LINGER if asked,
 * connect, optionally a 1-byte request and its 1-byte answer, close, in a loop on each of THREADS
 * threads, one connection at a time per thread. tcplab's compare-native runs it beside the
 * benchmark on the same path: against the tcplab server it is the native client; against serve.c
 * with REQUEST it is the native pair that neper's tcp_crr is (1-byte request and response, RST
 * close); against both servers it is the one client that compares them.
 *
 * usage: connect_close HOST PORT WARMUP_SECONDS SECONDS LINGER [THREADS [REQUEST]]
 *   LINGER -1 leaves SO_LINGER alone (CLIENT_FIN), 0 sends an RST (CLIENT_RST)
 *   THREADS 1 (default) to 64; REQUEST 1 sends a byte and waits for the answer, 0 (default) does not
 * prints: ok=N failed=M seconds=S rate=R cpu_us=C all=A   (N, M, S, R and C counted after the warmup;
 *   C is this process's user + system CPU over the counted seconds; A is every cycle from start to
 *   stop, warmup included, to divide a server's CPU over the whole run by)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

static struct sockaddr_in addr;
static int linger_seconds;
static int request;
static volatile int stop;

/* one cache line per thread, so the counters do not bounce between cores */
static struct counter {
    long ok, failed;
    char pad[64 - 2 * sizeof(long)];
} counters[MAX_THREADS];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

/* one cycle: 1 if it connected (and was answered), 0 if not */
static int cycle(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    struct linger l = {1, linger_seconds < 0 ? 0 : linger_seconds};
    int ok = (linger_seconds < 0 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0)
             && connect(fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    if (ok && request) {
        char b = 'q';
        ok = write(fd, &b, 1) == 1 && read(fd, &b, 1) == 1;
    }
    close(fd);
    return ok;
}

static void *loop(void *arg) {
    struct counter *c = arg;
    while (!stop) {
        if (cycle()) {
            __atomic_store_n(&c->ok, c->ok + 1, __ATOMIC_RELAXED);
        } else {
            __atomic_store_n(&c->failed, c->failed + 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void totals(int threads, long *ok, long *failed) {
    *ok = *failed = 0;
    for (int i = 0; i < threads; i++) {
        *ok += __atomic_load_n(&counters[i].ok, __ATOMIC_RELAXED);
        *failed += __atomic_load_n(&counters[i].failed, __ATOMIC_RELAXED);
    }
}

static void sleep_for(double seconds) {
    struct timespec t = {(time_t) seconds, (long) ((seconds - (time_t) seconds) * 1e9)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

int main(int argc, char **argv) {
    if (argc < 6 || argc > 8) {
        fprintf(stderr, "usage: %s HOST PORT WARMUP_SECONDS SECONDS LINGER [THREADS [REQUEST]] (example: %s 198.18.0.2 7000 1 5 0 2 1)\n",
                argv[0], argv[0]);
        return 2;
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "connect_close: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    double warmup = atof(argv[3]);
    double seconds = atof(argv[4]);
    linger_seconds = atoi(argv[5]);
    int threads = argc > 6 ? atoi(argv[6]) : 1;
    request = argc > 7 ? atoi(argv[7]) : 0;
    if (threads < 1 || threads > MAX_THREADS || seconds <= 0 || warmup < 0) {
        fprintf(stderr, "connect_close: THREADS must be 1 to %d and SECONDS positive\n", MAX_THREADS);
        return 2;
    }
    pthread_t ids[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, loop, &counters[i]) != 0) {
            fprintf(stderr, "connect_close: cannot start thread %d\n", i);
            return 1;
        }
    }
    sleep_for(warmup);
    long ok0, failed0, ok1, failed1;
    double t0 = now(), cpu0 = cpu_us();
    totals(threads, &ok0, &failed0);
    sleep_for(seconds);
    totals(threads, &ok1, &failed1);
    double elapsed = now() - t0, cpu = cpu_us() - cpu0;
    stop = 1;
    for (int i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
    }
    long all, all_failed;
    totals(threads, &all, &all_failed);
    printf("ok=%ld failed=%ld seconds=%.3f rate=%.1f cpu_us=%.0f all=%ld\n", ok1 - ok0, failed1 - failed0, elapsed, (ok1 - ok0) / elapsed, cpu,
           all + all_failed);
    return 0;
}
