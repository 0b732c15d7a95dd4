/*
 * files.c — file-system calls inside a directory the test creates fresh
 * and passes as argv[1] (mvm sees it through --dir at the same path):
 * create, write, read back, seek, stat sizes and types, rename, unlink,
 * mkdir/rmdir, and the errors Linux gives (ENOENT, EEXIST, ENOTEMPTY,
 * EISDIR). With glibc it also lists directories with readdir, uses
 * O_APPEND, pread/pwrite, ftruncate, dup2, openat/fstatat on a directory
 * fd, a relative symlink, and getcwd after chdir. picolibc has no dirent
 * or *at functions, so its build does the portable part only.
 * Paths are printed relative to the directory, so output is the same
 * whatever directory the test picked.
 * guest-dir: yes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#ifndef __PICOLIBC__
#include <dirent.h>
#endif

static char path_buf[4][512];
static const char *root;

/* P(i, name): root/name in one of four rotating buffers */
static const char *P(int i, const char *name)
{
	snprintf(path_buf[i], sizeof path_buf[i], "%s/%s", root, name);
	return path_buf[i];
}

static void expect_errno(const char *what, int r, int want)
{
	char buf[128];
	int e = errno;
	snprintf(buf, sizeof buf, "%s fails with %s", what,
		 want == ENOENT ? "ENOENT" : want == EEXIST ? "EEXIST" :
		 want == ENOTEMPTY ? "ENOTEMPTY" : want == EISDIR ? "EISDIR" :
		 want == ENOTDIR ? "ENOTDIR" : "?");
	check(buf, r == -1 && e == want);
	if (!(r == -1 && e == want))
		printf("   (returned %d, errno %d)\n", r, e);
}

static long file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

#ifndef __PICOLIBC__
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir)
{
	DIR *d = opendir(dir);
	char *names[64];
	int n = 0;
	struct dirent *e;

	if (!d) {
		printf("opendir failed: errno %d\n", errno);
		check_failures++;
		return;
	}
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	printf("listing:");
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: files DIR\n");
		return 2;
	}
	root = argv[1];
	umask(022);

	/* stdio: write, read back */
	FILE *f = fopen(P(0, "notes.txt"), "w");
	check("fopen for writing", f != NULL);
	if (!f)
		return 1;
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %d: %s\n", i, i % 2 ? "odd" : "even");
	check("fclose", fclose(f) == 0);
	printf("notes.txt is %ld bytes\n", file_size(P(0, "notes.txt")));
	f = fopen(P(0, "notes.txt"), "r");
	char line[64];
	int lines = 0;
	while (fgets(line, sizeof line, f))
		lines++;
	check("read back 100 lines", lines == 100);
	check("fseek/ftell", fseek(f, 0, SEEK_END) == 0 && ftell(f) == file_size(P(0, "notes.txt")));
	fseek(f, 10, SEEK_SET);
	fgets(line, sizeof line, f);
	printf("from offset 10: %s", line);
	fclose(f);

	/* raw fds: a 1 MiB file in uneven chunks, then read back */
	int fd = open(P(0, "big.bin"), O_WRONLY | O_CREAT | O_TRUNC, 0640);
	check("open O_CREAT", fd >= 0);
	static unsigned char buf[1 << 20];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 9));
	size_t off = 0, chunk = 1;
	while (off < sizeof buf) {
		size_t n = sizeof buf - off < chunk ? sizeof buf - off : chunk;
		ssize_t w = write(fd, buf + off, n);
		if (w <= 0)
			break;
		off += (size_t)w;
		chunk = chunk * 3 + 1;
	}
	check("wrote 1 MiB", off == sizeof buf);
	close(fd);
	struct stat st;
	check("stat big.bin", stat(P(0, "big.bin"), &st) == 0);
	printf("big.bin: size %ld, regular %d, mode %o\n", (long)st.st_size,
	       S_ISREG(st.st_mode) != 0, (unsigned)(st.st_mode & 0777));
	fd = open(P(0, "big.bin"), O_RDONLY);
	unsigned long sum = 0, got = 0;
	ssize_t r;
	static unsigned char rbuf[7777];
	while ((r = read(fd, rbuf, sizeof rbuf)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			sum = sum * 31 + rbuf[i];
		got += (unsigned long)r;
	}
	printf("read back %lu bytes, checksum %lx\n", got, sum);
	check("read returns 0 at end of file", r == 0 && read(fd, rbuf, 10) == 0);
	check("lseek SEEK_END", lseek(fd, 0, SEEK_END) == (off_t)sizeof buf);
	lseek(fd, 123457, SEEK_SET);
	read(fd, rbuf, 4);
	check("read after lseek", memcmp(rbuf, buf + 123457, 4) == 0);
	struct stat fst;
	check("fstat agrees with stat", fstat(fd, &fst) == 0 && fst.st_size == st.st_size &&
	      fst.st_ino == st.st_ino);
	close(fd);

	/* a hole: seek past the end and write */
	fd = open(P(0, "sparse"), O_RDWR | O_CREAT, 0600);
	lseek(fd, 100000, SEEK_SET);
	write(fd, "end", 3);
	lseek(fd, 5000, SEEK_SET);
	unsigned char z[4] = { 1, 1, 1, 1 };
	read(fd, z, 4);
	check("a hole reads as zeros", !z[0] && !z[1] && !z[2] && !z[3]);
	close(fd);
	printf("sparse is %ld bytes\n", file_size(P(0, "sparse")));

	/* directories, rename, unlink */
	check("mkdir", mkdir(P(0, "sub"), 0755) == 0);
	check("stat says directory", stat(P(0, "sub"), &st) == 0 && S_ISDIR(st.st_mode));
	check("rename into subdir", rename(P(0, "notes.txt"), P(1, "sub/renamed.txt")) == 0);
	check("old name is gone", file_size(P(0, "notes.txt")) == -1);
	printf("sub/renamed.txt is %ld bytes\n", file_size(P(0, "sub/renamed.txt")));
	errno = 0;
	expect_errno("open of a missing file", open(P(0, "missing"), O_RDONLY), ENOENT);
	expect_errno("open in a missing directory", open(P(0, "nodir/x"), O_WRONLY | O_CREAT, 0644), ENOENT);
	expect_errno("mkdir of an existing directory", mkdir(P(0, "sub"), 0755), EEXIST);
	expect_errno("rmdir of a non-empty directory", rmdir(P(0, "sub")), ENOTEMPTY);
	expect_errno("unlink of a directory", unlink(P(0, "sub")), EISDIR);
	expect_errno("open O_EXCL of an existing file",
		     open(P(0, "big.bin"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	expect_errno("stat through a file", stat(P(0, "big.bin/x"), &st), ENOTDIR);
	check("rename over an existing file",
	      rename(P(0, "sparse"), P(1, "big.bin")) == 0 && file_size(P(0, "big.bin")) == 100003);

#ifndef __PICOLIBC__
	list(root);
	fd = open(P(0, "log"), O_WRONLY | O_CREAT | O_APPEND, 0644);
	write(fd, "one\n", 4);
	lseek(fd, 0, SEEK_SET);
	write(fd, "two\n", 4); /* O_APPEND: still goes to the end */
	close(fd);
	fd = open(P(0, "log"), O_RDWR);
	char tb[16] = { 0 };
	pread(fd, tb, 8, 0);
	check("O_APPEND appends", strcmp(tb, "one\ntwo\n") == 0);
	pwrite(fd, "ONE", 3, 0);
	pread(fd, tb, 8, 0);
	check("pwrite/pread", memcmp(tb, "ONE\ntwo\n", 8) == 0);
	check("pread leaves the offset", lseek(fd, 0, SEEK_CUR) == 0);
	check("ftruncate", ftruncate(fd, 2) == 0 && fstat(fd, &st) == 0 && st.st_size == 2);
	int fd2 = dup(fd);
	check("dup shares the offset", lseek(fd, 1, SEEK_SET) == 1 && lseek(fd2, 0, SEEK_CUR) == 1);
	check("dup2 onto 10", dup2(fd, 10) == 10);
	close(fd);
	close(fd2);
	close(10);

	int dfd = open(root, O_RDONLY | O_DIRECTORY);
	check("open a directory", dfd >= 0);
	fd = openat(dfd, "sub/renamed.txt", O_RDONLY);
	check("openat relative to a directory fd", fd >= 0);
	close(fd);
	check("fstatat", fstatat(dfd, "log", &st, 0) == 0 && st.st_size == 2);
	check("symlink (relative)", symlink("sub/renamed.txt", P(0, "link")) == 0);
	char target[64] = { 0 };
	ssize_t tl = readlink(P(0, "link"), target, sizeof target - 1);
	check("readlink", tl == 15 && strcmp(target, "sub/renamed.txt") == 0);
	check("lstat sees a link", lstat(P(0, "link"), &st) == 0 && S_ISLNK(st.st_mode));
	check("stat follows it", stat(P(0, "link"), &st) == 0 && S_ISREG(st.st_mode));
	close(dfd);

	char cwd[512];
	check("chdir", chdir(root) == 0);
	check("getcwd is the directory", getcwd(cwd, sizeof cwd) && strcmp(cwd, root) == 0);
	check("relative open after chdir", access("sub/renamed.txt", R_OK) == 0);
	list("sub");
	unlink("link");
	unlink("log");
#endif

	check("unlink", unlink(P(0, "sub/renamed.txt")) == 0 && unlink(P(1, "big.bin")) == 0);
	check("rmdir", rmdir(P(0, "sub")) == 0);
#ifndef __PICOLIBC__
	list(root);
#endif
	return check_failures ? 1 : 0;
}
