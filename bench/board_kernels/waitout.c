/* waitout.c — run one command until a text appears on its standard
 * output, and report how long that took. A helper of bench/board, built
 * for the host, after bench/timeit.c.
 *
 *   waitout [-t SECONDS] [-p POLL_MS] [-x TEXT -w LINE]... [-r] -s TEXT -o OUT [-e ERR] -- COMMAND [ARG...]
 *
 * Each -x TEXT -w LINE is a step of a dialogue, in order: when TEXT has
 * come (after what the step before waited for), LINE and a newline go to
 * the command's standard input (a pipe, then; else /dev/null). With -r
 * WALL_NS runs from the last line sent instead of from the start.
 * The command's stdout goes to the file OUT, which is read every POLL_MS
 * milliseconds (default 2) for TEXT (a fixed string); its stderr to ERR
 * (default: inherited); its stdin is /dev/null. As soon as TEXT is there
 * the command's process group is killed (SIGKILL). Prints one line,
 * "STATUS WALL_NS CPU_NS MAXRSS_KB": STATUS is "found" when TEXT came,
 * the exit code (128+N for signal N) if the command ended without
 * printing it, "timeout" if neither happened within SECONDS (default 60),
 * "noexec" if it could not be started. WALL_NS is CLOCK_MONOTONIC from
 * before the fork to the poll that saw TEXT (so it is late by at most
 * POLL_MS); CPU_NS is the command's user+system time (all its threads)
 * up to its end, which comes within microseconds after; MAXRSS_KB its
 * peak resident set. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: waitout [-t SECONDS] [-p POLL_MS] [-x TEXT -w LINE]... [-r] -s TEXT -o OUT [-e ERR] -- "
			"COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *err = NULL, *text = NULL;
	const char *expect[16], *send[16];
	unsigned timeout = 60, poll_ms = 2, nexpect = 0, nsend = 0;
	int from_last = 0;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-r") == 0) {
			from_last = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "-x") == 0 && nexpect < 16) {
			expect[nexpect++] = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "-w") == 0 && nsend < 16) {
			send[nsend++] = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "-t") == 0)
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-p") == 0)
			poll_ms = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-s") == 0)
			text = argv[++i];
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			err = argv[++i];
		else
			usage();
	}
	if (i >= argc || !out || !text || !*text || poll_ms == 0 || nexpect != nsend)
		usage();
	int in_pipe[2] = { -1, -1 };
	if (nexpect && pipe(in_pipe) < 0) {
		perror("waitout: pipe");
		return 2;
	}
	size_t tlen = strlen(text);

	/* OUT is created (empty) before the fork, so the reader never races
	 * the command's first write. */
	int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rfd = ofd < 0 ? -1 : open(out, O_RDONLY);
	int efd = err ? open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644) : 2;
	if (ofd < 0 || rfd < 0 || efd < 0) {
		perror("waitout: open");
		return 2;
	}
	int status_pipe[2];
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		perror("waitout: pipe");
		return 2;
	}

	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("waitout: fork");
		return 2;
	}
	if (pid == 0) {
		int e = 0;
		close(status_pipe[0]);
		close(rfd);
		setpgid(0, 0);
		int in = nexpect ? in_pipe[0] : open("/dev/null", O_RDONLY);
		if (nexpect)
			close(in_pipe[1]);
		if (in < 0 || dup2(in, 0) < 0 || dup2(ofd, 1) < 0 || dup2(efd, 2) < 0)
			e = errno;
		else {
			execvp(argv[i], argv + i);
			e = errno;
		}
		if (write(status_pipe[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid);
	close(status_pipe[1]);
	if (nexpect)
		close(in_pipe[0]);
	unsigned step = 0;
	size_t step_from = 0;	/* where the current step's text is looked for */
	close(ofd);
	int exec_errno = 0;
	ssize_t got;
	do
		got = read(status_pipe[0], &exec_errno, sizeof exec_errno);
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof exec_errno) {
		waitpid(pid, NULL, 0);
		fprintf(stderr, "waitout: cannot run %s: %s\n", argv[i], strerror(exec_errno));
		printf("noexec 0 0 0\n");
		return 0;
	}

	/* Poll: read what is new, look for TEXT across the old tail. */
	size_t cap = 1 << 16, len = 0, from = 0;
	char *buf = malloc(cap);
	int found = 0, ended = 0, st = 0;
	struct rusage ru;
	int64_t t1 = 0, deadline = t0 + (int64_t)timeout * 1000000000;
	struct timespec nap = { poll_ms / 1000, (long)(poll_ms % 1000) * 1000000 };
	if (!buf) {
		perror("waitout: malloc");
		return 2;
	}
	for (;;) {
		/* the command's state first, so output written before it ended
		 * is still read below */
		pid_t w = wait4(pid, &st, WNOHANG, &ru);
		if (w == pid)
			ended = 1;
		ssize_t n;
		for (;;) {
			if (cap - len < 4096) {
				char *nb = realloc(buf, cap *= 2);
				if (!nb) {
					perror("waitout: realloc");
					return 2;
				}
				buf = nb;
			}
			n = read(rfd, buf + len, cap - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		/* The dialogue first: each step's text after the last step's. */
		while (step < nexpect) {
			char *at = memmem(buf + step_from, len - step_from, expect[step], strlen(expect[step]));
			if (!at)
				break;
			step_from = (size_t)(at - buf) + strlen(expect[step]);
			size_t n = strlen(send[step]);
			if (write(in_pipe[1], send[step], n) != (ssize_t)n || write(in_pipe[1], "\n", 1) != 1) {
				perror("waitout: write");
				return 2;
			}
			step++;
			if (from_last)
				t0 = now_ns();
		}
		if (step == nexpect) {
			if (from < step_from)
				from = step_from;
			if (len >= from + tlen && memmem(buf + from, len - from, text, tlen)) {
				t1 = now_ns();
				found = 1;
				break;
			}
			if (len >= tlen && len - tlen + 1 > from)
				from = len - tlen + 1;
		}
		if (ended)
			break;
		if (now_ns() >= deadline) {
			t1 = now_ns();
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (!ended) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		pid_t w;
		do
			w = wait4(pid, &st, 0, &ru);
		while (w < 0 && errno == EINTR);
		if (w < 0) {
			perror("waitout: wait4");
			return 2;
		}
	} else if (!found) {
		t1 = now_ns();
	}

	long long wall = (long long)(t1 - t0);
	long long cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
			((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	if (found)
		printf("found %lld %lld %ld\n", wall, cpu, ru.ru_maxrss);
	else if (!ended)
		printf("timeout %lld %lld %ld\n", wall, cpu, ru.ru_maxrss);
	else if (WIFSIGNALED(st))
		printf("%d %lld %lld %ld\n", 128 + WTERMSIG(st), wall, cpu, ru.ru_maxrss);
	else
		printf("%d %lld %lld %ld\n", WEXITSTATUS(st), wall, cpu, ru.ru_maxrss);
	return 0;
}
