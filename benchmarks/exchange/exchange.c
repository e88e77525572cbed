/*
 * The nginx module's exchange with a Unix-socket backend, a connection per question, in C: the
 * CPU the kernel alone takes from the asking process on this machine, with nothing of a JVM.
 * Each thread in a loop: socket, connect, write the question, half-close, read the answer to
 * its end, close. Prints exchanges per second and the process's CPU per exchange (user and
 * system, from getrusage), and its context switches per exchange.
 *
 *   exchange SOCKET THREADS SECONDS QUESTION
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256

static struct sockaddr_un address = {.sun_family = AF_UNIX};
static const char *question;
static size_t question_length;
static volatile int stopping;
static long exchanges[MAX_THREADS];

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static void *ask(void *slot) {
    char answer[4096];
    long done = 0;
    while (!stopping) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) fail("socket");
        if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) fail("connect");
        if (write(fd, question, question_length) != (ssize_t) question_length) fail("write");
        if (shutdown(fd, SHUT_WR) != 0) fail("shutdown");
        ssize_t n, total = 0;
        while ((n = read(fd, answer, sizeof answer)) > 0) total += n;
        if (n < 0) fail("read");
        if (total == 0) {
            fprintf(stderr, "the backend gave an empty answer\n");
            exit(1);
        }
        close(fd);
        done++;
    }
    exchanges[(long) slot] = done;
    return NULL;
}

static double micros(struct timeval t) {
    return t.tv_sec * 1e6 + t.tv_usec;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: exchange SOCKET THREADS SECONDS QUESTION\n");
        return 2;
    }
    int threads = atoi(argv[2]), seconds = atoi(argv[3]);
    if (strlen(argv[1]) >= sizeof address.sun_path || threads < 1 || threads > MAX_THREADS || seconds < 1) {
        fprintf(stderr, "exchange: a socket path under %zu bytes, 1 to %d threads, at least 1 second\n",
                sizeof address.sun_path, MAX_THREADS);
        return 2;
    }
    strcpy(address.sun_path, argv[1]);
    question = argv[4];
    question_length = strlen(question);

    pthread_t thread[MAX_THREADS];
    struct rusage before, after;
    struct timespec start, end;
    getrusage(RUSAGE_SELF, &before);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < threads; i++) pthread_create(&thread[i], NULL, ask, (void *) i);
    sleep(seconds);
    stopping = 1;
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(thread[i], NULL);
        total += exchanges[i];
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    getrusage(RUSAGE_SELF, &after);

    double wall = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    double user = micros(after.ru_utime) - micros(before.ru_utime);
    double system = micros(after.ru_stime) - micros(before.ru_stime);
    printf("C, %d threads: %.0f exchanges/s, CPU %.1f us per exchange (user %.1f, system %.1f), "
           "%.2f voluntary and %.2f involuntary context switches per exchange\n",
           threads, total / wall, (user + system) / total, user / total, system / total,
           (double) (after.ru_nvcsw - before.ru_nvcsw) / total, (double) (after.ru_nivcsw - before.ru_nivcsw) / total);
    return 0;
}
