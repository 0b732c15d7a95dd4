/*
 * stderr.c — output on both standard streams: stderr is unbuffered and
 * stdout buffered, each is compared on its own; perror and strerror text
 * for a failed open; a direct write(2) on fd 2; a failing exit status.
 * guest-exit: 1
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	printf("to stdout, line 1\n");
	fprintf(stderr, "to stderr, line 1\n");
	for (int i = 0; i < 50; i++)
		fprintf(i % 2 ? stderr : stdout, "interleaved %d on %s\n", i,
			i % 2 ? "stderr" : "stdout");
	errno = 0;
	if (open("/this/path/does/not/exist", O_RDONLY) < 0) {
		int e = errno;
		perror("open");
		fprintf(stderr, "errno %d: %s\n", e, strerror(e));
	}
	fputs("partial line on stderr, then a raw write: ", stderr);
	write(2, "raw\n", 4);
	fflush(stdout);
	write(1, "raw on stdout\n", 14);
	fprintf(stderr, "exiting with 1\n");
	return 1;
}
