/* timeit.c — run one command and report its wall time and peak memory.
 *
 *   timeit [-t SECONDS] [-o OUT] [-e ERR] -- COMMAND [ARG...]
 *
 * Prints one line, "STATUS WALL_NS CPU_NS MAXRSS_KB": STATUS is the exit code,
 * 128+N if the command died of signal N, "timeout" if it was killed after
 * SECONDS (default 600), or "noexec" if it could not be started.  WALL_NS is
 * measured with CLOCK_MONOTONIC around fork and wait, so it includes process
 * start-up, as a user would see it.  CPU_NS is the user plus system time
 * of the command and its threads, which a busy machine moves far less than
 * wall time (waiting for a CPU does not count).  MAXRSS_KB is its peak
 * resident set (getrusage of that child only, not of this process).
 * The command's stdout and stderr go to OUT and ERR (default: inherited);
 * its stdin is /dev/null, so nothing it does depends on the terminal.  It
 * runs in a process group of its own, so a timeout kills whatever it started.
 * A helper of bench/run, built for the host. */
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

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	if (child > 0) {
		kill(-child, SIGKILL);
		kill(child, SIGKILL);
	}
}

static int redirect(const char *path, int fd)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (f < 0)
		return -1;
	if (f != fd) {
		if (dup2(f, fd) < 0)
			return -1;
		close(f);
	}
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: timeit [-t SECONDS] [-o OUT] [-e ERR] -- COMMAND [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *err = NULL;
	unsigned timeout = 600;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "-t") == 0)
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "-o") == 0)
			out = argv[++i];
		else if (strcmp(argv[i], "-e") == 0)
			err = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();

	/* A pipe closed on a successful exec tells the parent whether the
	 * command started at all; an errno written into it says why not. */
	int status_pipe[2];
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		perror("timeit: pipe");
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	int64_t t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 2;
	}
	if (pid == 0) {
		int e = 0;
		close(status_pipe[0]);
		setpgid(0, 0);
		int in = open("/dev/null", O_RDONLY);
		if (in < 0 || dup2(in, 0) < 0)
			e = errno;
		else if (in != 0 && close(in) < 0)
			e = errno;
		else if ((out && redirect(out, 1) < 0) || (err && redirect(err, 2) < 0))
			e = errno;
		else {
			execvp(argv[i], argv + i);
			e = errno;
		}
		if (write(status_pipe[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	/* Both sides set the group, whichever runs first, so a timeout that
	 * fires at once still finds it. */
	setpgid(pid, pid);
	child = pid;
	close(status_pipe[1]);
	alarm(timeout);
	int exec_errno = 0;
	ssize_t got;
	do
		got = read(status_pipe[0], &exec_errno, sizeof exec_errno);
	while (got < 0 && errno == EINTR);

	int st;
	struct rusage ru;
	pid_t w;
	do
		w = wait4(pid, &st, 0, &ru);
	while (w < 0 && errno == EINTR);
	int64_t t1 = now_ns();
	alarm(0);
	if (w < 0) {
		perror("timeit: wait4");
		return 2;
	}

	long long wall = (long long)(t1 - t0);
	long long cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
			((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	if (got == (ssize_t)sizeof exec_errno) {
		fprintf(stderr, "timeit: cannot run %s: %s\n", argv[i], strerror(exec_errno));
		printf("noexec 0 0 0\n");
	} else if (timed_out) {
		printf("timeout %lld %lld %ld\n", wall, cpu, ru.ru_maxrss);
	} else if (WIFSIGNALED(st)) {
		printf("%d %lld %lld %ld\n", 128 + WTERMSIG(st), wall, cpu, ru.ru_maxrss);
	} else {
		printf("%d %lld %lld %ld\n", WEXITSTATUS(st), wall, cpu, ru.ru_maxrss);
	}
	return 0;
}
