/* AF_UNIX socketpair: stream and datagram exchange, SCM_RIGHTS passing a
 * pipe end and a socket, shutdown, getsockopt, fstat. Deterministic: the
 * output is compared with qemu-riscv64's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int send_fd(int s, int fd, const char *tag)
{
    struct msghdr m = { 0 };
    struct iovec iov = { (void *)tag, strlen(tag) };
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.b;
    m.msg_controllen = sizeof u.b;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    return (int)sendmsg(s, &m, 0);
}

static int recv_fd(int s, char *tag, size_t n)
{
    struct msghdr m = { 0 };
    struct iovec iov = { tag, n - 1 };
    union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 4)]; } u;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.b;
    m.msg_controllen = sizeof u.b;
    ssize_t k = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
    if (k < 0)
        return -1;
    tag[k] = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            memcpy(&fd, CMSG_DATA(c), sizeof fd);
            printf("  cmsg_len %zu, flags %d\n", (size_t)c->cmsg_len, m.msg_flags);
            return fd;
        }
    return -2;
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return 1;
    }
    printf("socketpair: %d %d\n", sv[0], sv[1]);
    write(sv[0], "hello", 5);
    char buf[64] = { 0 };
    printf("read %zd '%s'\n", read(sv[1], buf, sizeof buf), buf);
    struct stat st;
    fstat(sv[0], &st);
    printf("S_ISSOCK %d\n", S_ISSOCK(st.st_mode));
    int type = 0, dom = 0;
    socklen_t l = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &l);
    l = sizeof dom;
    getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &dom, &l);
    printf("SO_TYPE %d SO_DOMAIN %d len %u\n", type, dom, (unsigned)l);
    int bogus = 0;
    l = sizeof bogus;
    printf("unknown option: %s\n", getsockopt(sv[0], SOL_SOCKET, 12345, &bogus, &l) < 0 && errno == ENOPROTOOPT ? "ENOPROTOOPT" : "?");

    int p[2];
    pipe(p);
    printf("send_fd %d\n", send_fd(sv[0], p[0], "pipe"));
    char tag[16];
    int got = recv_fd(sv[1], tag, sizeof tag);
    printf("recv_fd tag '%s' new fd ok %d cloexec %d\n", tag, got > p[1], (fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
    write(p[1], "through the pipe", 16);
    memset(buf, 0, sizeof buf);
    printf("read via passed fd: %zd '%s'\n", read(got, buf, sizeof buf), buf);
    close(got);

    int dg[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    send(dg[0], "one", 3, 0);
    send(dg[0], "second", 6, 0);
    memset(buf, 0, sizeof buf);
    printf("dgram %zd '%s'\n", recv(dg[1], buf, 2, 0), buf);
    memset(buf, 0, sizeof buf);
    printf("dgram peek %zd\n", recv(dg[1], buf, sizeof buf, MSG_PEEK));
    printf("dgram %zd '%s'\n", recv(dg[1], buf, sizeof buf, 0), buf);
    printf("empty nonblock: %s\n", recv(dg[1], buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN ? "EAGAIN" : "?");

    printf("send_fd socket %d\n", send_fd(sv[0], dg[0], "sock"));
    got = recv_fd(sv[1], tag, sizeof tag);
    send(got, "via passed socket", 17, 0);
    memset(buf, 0, sizeof buf);
    printf("dgram %zd '%s'\n", recv(dg[1], buf, sizeof buf, 0), buf);

    shutdown(sv[0], SHUT_WR);
    printf("after shutdown read %zd\n", read(sv[1], buf, sizeof buf));
    printf("write to a shut socket: %s\n", send(sv[0], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE ? "EPIPE" : "?");
    printf("socketpair(AF_INET): %s\n", socketpair(AF_INET, SOCK_STREAM, 0, sv) < 0 && errno == EOPNOTSUPP ? "EOPNOTSUPP" : "?");
    printf("bad fd: %s\n", send_fd(sv[0], 999, "x") < 0 && errno == EBADF ? "EBADF" : "?");
    printf("not a socket: %s\n", send(p[1], "x", 1, 0) < 0 && errno == ENOTSOCK ? "ENOTSOCK" : "?");
    return 0;
}
