/*
 * The smallest server that does the tcplab server's work for a connect/close client: one thread,
 * one epoll set, non-blocking sockets; accept, then read and discard until the client closes (or,
 * with ANSWER, answer each byte with one byte), then close. Like the tcplab server it serves a
 * connection at once when its data or FIN is already there, and registers it with epoll only when
 * it is not. tcplab's compare-native measures the tcplab server against it with the same C client.
 *
 * usage: serve ADDRESS PORT SECONDS ANSWER
 *   ANSWER 1 answers every 1-byte request (the tcplab server's ANSWER policy), 0 does not
 *   (READ_UNTIL_EOF); it stops by itself after SECONDS, and on SIGINT or SIGTERM
 * prints "listening on ADDRESS:PORT" once it listens, and "accepted=N resets=R errors=M" when it stops
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EVENTS 256
#define ACCEPTS_PER_WAKE 256

static volatile sig_atomic_t stop;
static int answer;
static long accepted, resets, errors;

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

/* reads what is there; returns 1 when the connection is done (closed here), 0 when it must wait */
static int serve(int fd) {
    char buf[4096];
    for (int reads = 0; reads < 16; reads++) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            if (answer) {
                for (ssize_t i = 0; i < n; i++) {
                    if (write(fd, "a", 1) != 1) {
                        errors++;
                        close(fd);
                        return 1;
                    }
                }
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        }
        if (n < 0) {
            if (errno == ECONNRESET) {
                resets++; /* the client's RST close */
            } else {
                errors++;
            }
        }
        close(fd);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s ADDRESS PORT SECONDS ANSWER (example: %s 198.18.0.2 7001 60 0)\n", argv[0], argv[0]);
        return 2;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "serve: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    double seconds = atof(argv[3]);
    answer = atoi(argv[4]);
    if (seconds <= 0) {
        fprintf(stderr, "serve: SECONDS must be positive\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) != 0 || listen(listener, 4096) != 0) {
        fprintf(stderr, "serve: cannot listen on %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
    printf("listening on %s:%s\n", argv[1], argv[2]);
    fflush(stdout);

    struct timespec start, t;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct epoll_event events[EVENTS];
    while (!stop) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - start.tv_sec + (t.tv_nsec - start.tv_nsec) / 1e9 >= seconds) {
            break;
        }
        int n = epoll_wait(ep, events, EVENTS, 200);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd != listener) {
                serve(fd); /* when done, close() takes it out of the epoll set */
                continue;
            }
            for (int a = 0; a < ACCEPTS_PER_WAKE; a++) {
                int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
                if (c < 0) {
                    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                        errors++;
                    }
                    break;
                }
                accepted++;
                if (!serve(c)) {
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
            }
        }
    }
    printf("accepted=%ld resets=%ld errors=%ld\n", accepted, resets, errors);
    return 0;
}
