/* AF_UNIX names: argv[1] a writable dir, argv[2] a read-only one. A
 * listening socket at a path inside the sandbox, a client connecting to
 * it, paths outside (ENOENT), in the :ro mount (EROFS), abstract names. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *en(int r)
{
    if (r >= 0) return "ok";
    switch (errno) {
    case ENOENT: return "ENOENT";
    case EROFS: return "EROFS";
    case EADDRINUSE: return "EADDRINUSE";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EACCES: return "EACCES";
    }
    return strerror(errno);
}

static socklen_t mk(struct sockaddr_un *a, const char *path, int abstract)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (abstract) {
        memcpy(a->sun_path + 1, path, strlen(path));
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
    }
    strcpy(a->sun_path, path);
    return (socklen_t)sizeof *a;
}

static void exchange(const char *label, const char *path, int abstract)
{
    struct sockaddr_un a, b;
    socklen_t len = mk(&a, path, abstract);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("%s bind: %s\n", label, en(bind(s, (struct sockaddr *)&a, len)));
    listen(s, 4);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("%s connect: %s\n", label, en(connect(c, (struct sockaddr *)&a, len)));
    int d = accept(s, NULL, NULL);
    write(c, "ping", 4);
    char buf[8] = { 0 };
    read(d, buf, sizeof buf - 1);
    printf("%s got '%s'\n", label, buf);
    socklen_t bl = sizeof b;
    memset(&b, 0, sizeof b);
    getsockname(s, (struct sockaddr *)&b, &bl);
    printf("%s name '%s%s' len %d\n", label, b.sun_path[0] ? "" : "@", b.sun_path[0] ? b.sun_path : b.sun_path + 1,
           (int)bl);
    bl = sizeof b;
    memset(&b, 0, sizeof b);
    getpeername(c, (struct sockaddr *)&b, &bl);
    printf("%s peer '%s%s'\n", label, b.sun_path[0] ? "" : "@", b.sun_path[0] ? b.sun_path : b.sun_path + 1);
    close(c); close(d); close(s);
}

int main(int argc, char **argv)
{
    char path[200];
    snprintf(path, sizeof path, "%s/sock", argv[1]);
    unlink(path);
    exchange("path", path, 0);
    struct stat st;
    printf("S_ISSOCK %d\n", stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
    struct sockaddr_un a;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    printf("bind again: %s\n", en(bind(s, (struct sockaddr *)&a, mk(&a, path, 0))));
    unlink(path);
    printf("connect gone: %s\n", en(connect(s, (struct sockaddr *)&a, mk(&a, path, 0))));
    printf("bind outside: %s\n", en(bind(s, (struct sockaddr *)&a, mk(&a, "/nowhere/sock", 0))));
    printf("connect outside: %s\n", en(connect(s, (struct sockaddr *)&a, mk(&a, "/tmp/.X11-unix/X0", 0))));
    snprintf(path, sizeof path, "%s/sock", argv[2]);
    printf("bind in ro: %s\n", en(bind(s, (struct sockaddr *)&a, mk(&a, path, 0))));
    exchange("abstract", "mvm-test", 1);
    return 0;
}
