/*
 * hostile.c — a guest that tries to get out of its sandbox, from any depth.
 *
 *   hostile IMGDIR DATADIR HOSTIMAGE
 *
 * IMGDIR is the monitor's image directory as the guest sees it, mapped
 * read-only; DATADIR a writable directory holding "file" (a few bytes),
 * "abs-link" (a symbolic link to a host path outside every mapping) and
 * "rel-link" (a link to ../outside/secret). HOSTIMAGE is the image's path
 * on the host, which the guest was not granted. Each attempt prints one
 * line, "what: ok" or "what: ERRNO"; tests/nest/hostile.expected holds
 * what Linux gives a process whose file system is exactly these mounts
 * (a read-only bind mount refuses writes with EROFS, a name the namespace
 * lacks is ENOENT, ".." of "/" is "/", a link is resolved in the
 * process's own root, a bad user pointer is EFAULT). The test also checks
 * on the host that nothing outside DATADIR changed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default: return "another errno";
	}
}

/* Prints the outcome of a call that returned r and set errno if r < 0. */
static void report(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, errno_name(errno));
	else
		printf("%s: ok\n", what);
}

static char *join(char *buf, const char *dir, const char *name)
{
	snprintf(buf, 4096, "%s/%s", dir, name);
	return buf;
}

/* A valid-looking pointer to memory that no Linux process has mapped. */
static void *unmapped(void)
{
	volatile unsigned long a = 16;
	return (void *)a;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: hostile IMGDIR DATADIR HOSTIMAGE\n");
		return 2;
	}
	const char *img = argv[1], *data = argv[2], *host_image = argv[3];
	char p[4096], q[4096];
	const char *image = join(q, img, "mvm.rv64");
	int fd;

	/* The image directory is read-only: every change is EROFS. */
	fd = open(image, O_WRONLY);
	report("open the image for writing", fd);
	fd = open(image, O_RDWR | O_TRUNC);
	report("open the image read-write, truncating", fd);
	fd = open(join(p, img, "planted"), O_CREAT | O_WRONLY, 04755);
	report("create a file beside the image", fd);
	report("unlink the image", unlink(image));
	report("rename the image", rename(image, join(p, img, "mvm.old")));
	report("chmod the image", chmod(image, 04777));
	report("truncate the image", truncate(image, 0));
	report("symlink beside the image", symlink("mvm.rv64", join(p, img, "link")));
	report("mkdir beside the image", mkdir(join(p, img, "dir"), 0755));
	report("access the image for writing", access(image, W_OK));

	/* Reading it is granted. */
	char magic[4] = { 0 };
	fd = open(image, O_RDONLY);
	report("open the image for reading", fd);
	printf("the image starts with ELF magic: %s\n",
	       fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0 ? "yes" : "no");
	if (fd >= 0)
		close(fd);

	/* Names outside the mappings do not exist. */
	report("open the image by its host path", open(host_image, O_RDONLY));
	report("open /etc/passwd", open("/etc/passwd", O_RDONLY));
	report("open DATADIR/../../../etc/passwd", open(join(p, data, "../../../etc/passwd"), O_RDONLY));
	snprintf(p, sizeof p, "%s/../../..%s", data, host_image);
	report("open the image's host path through ..", open(p, O_RDONLY));
	report("open an absolute link out", open(join(p, data, "abs-link"), O_RDONLY));
	report("open a relative link out", open(join(p, data, "rel-link"), O_RDONLY));
	report("symlink to the image's host path", symlink(host_image, join(p, data, "made-link")));
	report("open that link", open(p, O_RDONLY));
	report("create a file in /", open("/planted", O_CREAT | O_WRONLY, 0644));
	report("mkdir in /", mkdir("/planted-dir", 0755));
	report("chdir to /..", chdir("/.."));
	char cwd[4096];
	printf("cwd after chdir /..: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "(error)");

	/* Bad pointers and descriptors are errors, not monitor failures. */
	report("write from an unmapped buffer", write(1, unmapped(), 8));
	fd = open(join(p, data, "file"), O_RDONLY);
	report("open DATADIR/file", fd);
	report("read into an unmapped buffer", read(fd, unmapped(), 8));
	report("read over the program's code", read(fd, (void *)(unsigned long)&main, 8));
	report("open with an unmapped path", open(unmapped(), O_RDONLY));
	report("stat into an unmapped buffer", stat(image, unmapped()));
	report("write to descriptor 99", write(99, "x", 1));
	report("system call 500", syscall(500));
	return 0;
}
