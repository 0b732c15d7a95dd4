/*
 * nfiles.c — file I/O through mapped directories, from whatever depth.
 *
 *   nfiles RODIR        (run with the current directory in a writable dir)
 *
 * Reads RODIR/input.txt, then in the current directory: creates a file,
 * writes it with write and pwrite (leaving a hole), reads it back, checks
 * its size, truncates it, makes and lists a subdirectory, renames and
 * removes files in it, makes and reads a symbolic link, and finally
 * leaves result.txt, which the test reads on the host. Every step prints
 * one line; the test compares them with the same program under
 * qemu-riscv64. Failures print "BAD" lines and make the status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;

static void step(const char *what, int ok)
{
	printf("%s %s%s%s\n", ok ? "ok" : "BAD", what, ok ? "" : ": ", ok ? "" : strerror(errno));
	if (!ok)
		bad = 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: nfiles RODIR\n");
		return 2;
	}
	char path[4096], buf[256];
	char cwd[4096];
	step("getcwd", getcwd(cwd, sizeof cwd) != NULL);
	printf("cwd %s\n", cwd);

	snprintf(path, sizeof path, "%s/input.txt", argv[1]);
	int fd = open(path, O_RDONLY);
	step("open input.txt", fd >= 0);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	step("read input.txt", n >= 0);
	buf[n > 0 ? n : 0] = 0;
	printf("input.txt: %zd bytes: %s", n, buf);
	close(fd);

	fd = open("out.txt", O_CREAT | O_EXCL | O_RDWR, 0644);
	step("create out.txt", fd >= 0);
	step("write", write(fd, "alpha\n", 6) == 6);
	step("pwrite past the end", pwrite(fd, "omega\n", 6, 100) == 6);
	struct stat st;
	step("fstat", fstat(fd, &st) == 0);
	printf("size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	step("lseek to 0", lseek(fd, 0, SEEK_SET) == 0);
	memset(buf, 'x', sizeof buf);
	n = read(fd, buf, sizeof buf);
	step("read back 106 bytes", n == 106);
	int zeros = 0;
	for (int i = 6; i < 100; i++)
		zeros += buf[i] == 0;
	printf("head %.5s, tail %.5s, %d zero bytes in the hole\n", buf, buf + 100, zeros);
	step("ftruncate to 3", ftruncate(fd, 3) == 0);
	step("close", close(fd) == 0);
	step("stat", stat("out.txt", &st) == 0);
	printf("size after truncate %lld\n", (long long)st.st_size);

	step("mkdir sub", mkdir("sub", 0755) == 0);
	const char *names[] = { "sub/b", "sub/a", "sub/c" };
	for (int i = 0; i < 3; i++) {
		fd = open(names[i], O_CREAT | O_WRONLY | O_TRUNC, 0600);
		step(names[i], fd >= 0 && write(fd, names[i], 5) == 5 && close(fd) == 0);
	}
	step("rename sub/a to sub/d", rename("sub/a", "sub/d") == 0);
	errno = 0;
	step("sub/a is gone (ENOENT)", stat("sub/a", &st) != 0 && errno == ENOENT);
	DIR *d = opendir("sub");
	step("opendir sub", d != NULL);
	char *list[16];
	int count = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL && count < 16)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			list[count++] = strdup(e->d_name);
	if (d)
		closedir(d);
	qsort(list, (size_t)count, sizeof *list, cmp_names);
	printf("sub holds %d:", count);
	for (int i = 0; i < count; i++) {
		printf(" %s", list[i]);
		free(list[i]);
	}
	printf("\n");
	step("unlink sub/b, sub/c, sub/d",
	     unlink("sub/b") == 0 && unlink("sub/c") == 0 && unlink("sub/d") == 0);
	step("rmdir sub", rmdir("sub") == 0);

	step("symlink link -> out.txt", symlink("out.txt", "link") == 0);
	n = readlink("link", buf, sizeof buf);
	step("readlink", n == 7);
	printf("link -> %.*s\n", (int)(n > 0 ? n : 0), buf);
	fd = open("link", O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	step("read through the link", n == 3);
	printf("through the link: %.*s\n", (int)(n > 0 ? n : 0), buf);
	close(fd);

	FILE *f = fopen("result.txt", "w");
	step("fopen result.txt", f != NULL);
	if (f) {
		fprintf(f, "nested file I/O done\n");
		step("fclose", fclose(f) == 0);
	}
	return bad;
}
