/*
 * Guest side of tests/bench/pef-svm-boot.py's virtio-net benchmark: TCP
 * request/response with a host echo server, as netperf's TCP_RR does.
 * Built static for the guest by the benchmark (Debian's cross compiler).
 *
 *   net-rr HOST-IP PORT SIZE COUNT
 *
 * Prints "NET-RR size=SIZE count=COUNT secs=S rate=R".
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd, one = 1;
    size_t size, got;
    long count, i;
    char *buf;
    double t0, secs;

    if (argc != 5) {
        fprintf(stderr, "usage: net-rr HOST-IP PORT SIZE COUNT\n");
        return 2;
    }
    sa.sin_port = htons(atoi(argv[2]));
    if (sscanf(argv[3], "%zu", &size) != 1 ||
        sscanf(argv[4], "%ld", &count) != 1 || !size || count < 1) {
        fprintf(stderr, "net-rr: bad SIZE or COUNT\n");
        return 2;
    }
    buf = calloc(1, size);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (!buf || fd < 0 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("net-rr");
        return 1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    t0 = now();
    for (i = 0; i < count; i++) {
        if (write(fd, buf, size) != (ssize_t)size) {
            perror("net-rr: write");
            return 1;
        }
        for (got = 0; got < size;) {
            ssize_t n = read(fd, buf + got, size - got);

            if (n <= 0) {
                perror("net-rr: read");
                return 1;
            }
            got += n;
        }
    }
    secs = now() - t0;
    printf("NET-RR size=%zu count=%ld secs=%.3f rate=%.1f\n", size, count,
           secs, count / secs);
    close(fd);
    return 0;
}
