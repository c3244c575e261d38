// fork_senders: the cheap sender of bench/attribution/run_attribution.sh (ATTR_SENDER=fork).
//
//   fork_senders RESOLVER_IPV4 N RATE MAX_INFLIGHT DEADLINE_S
//
// Forks N children at RATE per second, at most MAX_INFLIGHT unfinished at once. Child I names
// itself "fsend" (prctl PR_SET_NAME, before it opens a socket), sends one DNS query for
// bI.example.test over UDP to RESOLVER_IPV4 port 53, waits up to 2 s for the answer and
// exits: 0 with an answer, 1 without. A short-lived sender like `dig`, without the cost of
// exec and the dynamic loader (tens of ms of CPU per dig on some virtual machines).
//
// Prints one line per child, "PID fsend bI.example.test EXIT_STATUS", then
// "rate R" (launches per second from the first to the last, integer). Stops launching at
// the deadline; children still running then are killed (exit status 137 in the list).
// Exit status 0 when all N were launched and reaped, 1 otherwise, 2 on a usage error.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SENDER_NAME "fsend"

static int64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void sleep_us(int64_t us)
{
    if (us <= 0) {
        return;
    }
    struct timespec t = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

// The child: one query, one answer (or 2 s), exit.
static void sender(const struct in_addr* resolver, long i)
{
    prctl(PR_SET_NAME, SENDER_NAME, 0, 0, 0);
    unsigned char q[512];
    size_t n = 0;
    const uint16_t id = (uint16_t)(getpid() & 0xffff);
    const unsigned char header[12] = {id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(q, header, sizeof header);
    n = sizeof header;
    char label[24];
    const int len = snprintf(label, sizeof label, "b%ld", i);
    q[n++] = (unsigned char)len;
    memcpy(q + n, label, (size_t)len);
    n += (size_t)len;
    static const unsigned char tail[] = {
        7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
    memcpy(q + n, tail, sizeof tail);
    n += sizeof tail;

    const int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        _exit(1);
    }
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(53), .sin_addr = *resolver};
    if (sendto(s, q, n, 0, (const struct sockaddr*)&to, sizeof to) != (ssize_t)n) {
        _exit(1);
    }
    struct pollfd p = {.fd = s, .events = POLLIN};
    unsigned char a[512];
    if (poll(&p, 1, 2000) == 1 && recv(s, a, sizeof a, 0) >= 12) {
        _exit(0);
    }
    _exit(1);
}

struct child {
    pid_t pid;
    int status; // -1 while running
};

int main(int argc, char** argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: fork_senders RESOLVER_IPV4 N RATE MAX_INFLIGHT DEADLINE_S\n");
        return 2;
    }
    struct in_addr resolver;
    const long n = strtol(argv[2], NULL, 10);
    const long rate = strtol(argv[3], NULL, 10);
    const long max_inflight = strtol(argv[4], NULL, 10);
    const long deadline_s = strtol(argv[5], NULL, 10);
    if (inet_pton(AF_INET, argv[1], &resolver) != 1 || n < 1 || n > 1000000 || rate < 1 ||
        rate > 100000 || max_inflight < 1 || deadline_s < 1) {
        fprintf(stderr, "fork_senders: bad argument\n");
        return 2;
    }
    struct child* c = calloc((size_t)n, sizeof *c);
    if (c == NULL) {
        return 2;
    }
    const int64_t start = now_us();
    const int64_t deadline = start + (int64_t)deadline_s * 1000000;
    const int64_t interval = 1000000 / rate;
    int64_t first = 0;
    int64_t last = 0;
    long launched = 0;
    long inflight = 0;

    // Sender I is due at start + I * interval; it waits while MAX_INFLIGHT are unfinished.
    // Every wait is bounded by the deadline.
    for (long i = 0; i < n; i++) {
        const int64_t due = start + i * interval;
        for (;;) {
            int status;
            pid_t p;
            while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
                for (long k = launched - 1; k >= 0; k--) {
                    if (c[k].pid == p) {
                        c[k].status =
                            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        inflight--;
                        break;
                    }
                }
            }
            const int64_t t = now_us();
            if (t >= deadline || (t >= due && inflight < max_inflight)) {
                break;
            }
            sleep_us(t < due ? (due - t < 1000 ? due - t : 1000) : 500);
        }
        if (now_us() >= deadline) {
            fprintf(stderr, "fork_senders: deadline reached after %ld of %ld launches\n", i, n);
            break;
        }
        const pid_t p = fork();
        if (p == 0) {
            sender(&resolver, i);
        }
        if (p < 0) {
            fprintf(stderr, "fork_senders: fork: %s\n", strerror(errno));
            break;
        }
        last = now_us();
        if (i == 0) {
            first = last;
        }
        c[launched].pid = p;
        c[launched].status = -1;
        launched++;
        inflight++;
    }

    // The rest: each child gives up after 2 s by itself; past the deadline, SIGKILL.
    while (inflight > 0) {
        int status;
        const pid_t p = waitpid(-1, &status, WNOHANG);
        if (p > 0) {
            for (long k = launched - 1; k >= 0; k--) {
                if (c[k].pid == p) {
                    c[k].status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                    inflight--;
                    break;
                }
            }
            continue;
        }
        if (p < 0) {
            break; // no children left
        }
        if (now_us() >= deadline) {
            fprintf(stderr,
                    "fork_senders: %ld children still running at the deadline; killed\n",
                    inflight);
            for (long k = 0; k < launched; k++) {
                if (c[k].status < 0) {
                    kill(c[k].pid, SIGKILL);
                }
            }
            for (long k = 0; k < launched; k++) {
                if (c[k].status < 0) {
                    waitpid(c[k].pid, NULL, 0);
                    c[k].status = 137;
                }
            }
            inflight = 0;
            break;
        }
        sleep_us(2000);
    }

    for (long k = 0; k < launched; k++) {
        printf("%d %s b%ld.example.test %d\n",
               (int)c[k].pid,
               SENDER_NAME,
               k,
               c[k].status < 0 ? 255 : c[k].status);
    }
    const long r = launched > 1 && last > first
                       ? (long)((int64_t)(launched - 1) * 1000000 / (last - first))
                       : rate;
    printf("rate %ld\n", r);
    free(c);
    return launched == n ? 0 : 1;
}
