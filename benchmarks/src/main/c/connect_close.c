/*
 * The smallest client that does what ConnectCloseBenchmark does: socket, SO_LINGER if asked,
 * connect, close, in a loop. tcplab's compare-native runs it beside the benchmark on the same path
 * to show the benchmark is not the bottleneck.
 *
 * usage: connect_close HOST PORT WARMUP_SECONDS SECONDS LINGER
 *   LINGER -1 leaves SO_LINGER alone (CLIENT_FIN), 0 sends an RST (CLIENT_RST)
 * prints: ok=N failed=M seconds=S rate=R   (counted after the warmup)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT WARMUP_SECONDS SECONDS LINGER (example: %s 198.18.0.2 7000 1 5 0)\n", argv[0], argv[0]);
        return 2;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "connect_close: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    double warmup = atof(argv[3]);
    double seconds = atof(argv[4]);
    int linger = atoi(argv[5]);
    struct linger l = {1, linger < 0 ? 0 : linger};

    long ok = 0, failed = 0;
    double start = now(), measuring = start + warmup, end = measuring + seconds;
    int counting = 0;
    for (long i = 0;; i++) {
        if ((i & 63) == 0) { /* read the clock every 64 cycles, as cheaply as JMH does */
            double t = now();
            if (t >= end) {
                break;
            }
            if (!counting && t >= measuring) {
                counting = 1;
                ok = failed = 0;
                measuring = t;
            }
        }
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            failed++;
            continue;
        }
        if (linger >= 0 && setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0) {
            failed++;
        } else if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
            failed++;
        } else {
            ok++;
        }
        close(fd);
    }
    double elapsed = now() - measuring;
    printf("ok=%ld failed=%ld seconds=%.3f rate=%.1f\n", ok, failed, elapsed, ok / elapsed);
    return 0;
}
