/* exec: execve from a forked child (argv[1] is the directory holding the
   test binaries, as this process sees it; it must be writable).
   - argv (with an empty argument and one with a space) and envp arrive
     exactly; an empty environment; 300 arguments; the exec'd program's
     exit status is the child's;
   - errors, checked in this process (a failed execve returns): a missing
     file ENOENT, a missing directory on the way ENOENT, a regular file
     used as a directory ENOTDIR, a directory EACCES, a file without
     execute permission EACCES, an executable text file without "#!"
     ENOEXEC, an empty executable file ENOEXEC;
   - "#!" scripts whose interpreter is echoargs: "#!INTERP -x" gives
     argv = [INTERP, "-x", SCRIPT-PATH-AS-PASSED, args after argv[0]...];
     without an argument [INTERP, SCRIPT, ...]; spaces and tabs around
     the interpreter and the argument are dropped and "-x -y" stays one
     argument (as Linux's binfmt_script does); "#!" alone gives ENOEXEC;
     a missing interpreter gives ENOENT. */
#include "procs.h"
#include <fcntl.h>
#include <sys/stat.h>

static char dir[4096], echo[4200], strip[4200];

/* fork, execve(path, av, ev) in the child, wait; the status in words. */
static const char *run(const char *path, char *const av[], char *const ev[])
{
    pid_t p = MUST(fork());
    if (p == 0) {
        execve(path, av, ev);
        printf("execve %s: %s\n", av[0], strerror(errno));
        _exit(127);
    }
    return reap(p);
}

/* execve(path) in this process must fail with the errno named want. */
static void fails(const char *path, const char *want, const char *what)
{
    char *av[] = { "x", NULL }, *ev[] = { NULL };
    errno = 0;
    execve(path, av, ev);
    const char *got = errno ? strerrorname_np(errno) : "no error";
    check(!strcmp(got, want), "%s: %s", what, got);
}

static void file(const char *name, const char *text, mode_t mode, char *out)
{
    sprintf(out, "%s/%s", dir, name);
    unlink(out);
    int fd = MUST(open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600));
    MUST(write(fd, text, strlen(text)));
    MUST(close(fd));
    MUST(chmod(out, mode));
}

int main(int argc, char **argv)
{
    if (argc < 2) { puts("usage: exec DIR"); return 2; }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    snprintf(echo, sizeof echo, "%s/echoargs", dir);
    snprintf(strip, sizeof strip, "STRIP=%s", dir);
    const char *st;

    puts("-- argv and envp");
    char *av1[] = { "echoargs", "one", "two words", "", NULL };
    char *ev1[] = { "FOO=bar", "EMPTY=", "A=b=c", NULL };
    st = run(echo, av1, ev1);
    check(!strcmp(st, "exit 0"), "echoargs: %s", st);
    char *av2[] = { "just-argv0", NULL }, *ev2[] = { NULL };
    st = run(echo, av2, ev2);
    check(!strcmp(st, "exit 0"), "echoargs with an empty environment: %s", st);
    char *av3[] = { "echoargs", "status", NULL }, *ev3[] = { "EXIT=3", NULL };
    st = run(echo, av3, ev3);
    check(!strcmp(st, "exit 3"), "the exec'd program's exit(3) is the child's status: %s", st);
    char *many[302], buf[300][8];
    many[0] = "echoargs";
    for (int i = 0; i < 300; i++) {
        sprintf(buf[i], "arg%d", i);    /* 4..6 bytes */
        many[i + 1] = buf[i];
    }
    many[301] = NULL;
    char *ev4[] = { "QUIET=1", NULL };
    st = run(echo, many, ev4);
    check(!strcmp(st, "exit 0"), "300 arguments: %s", st);

    puts("-- errors");
    char path[4400];
    snprintf(path, sizeof path, "%s/no-such-file", dir);
    fails(path, "ENOENT", "a missing file");
    snprintf(path, sizeof path, "%s/no-such-dir/x", dir);
    fails(path, "ENOENT", "a missing directory");
    snprintf(path, sizeof path, "%s/echoargs/x", dir);
    fails(path, "ENOTDIR", "a file used as a directory");
    fails(dir, "EACCES", "a directory");
    file("noexec.sh", "#!/bin/sh\n", 0644, path);
    fails(path, "EACCES", "a file without execute permission");
    file("text.txt", "hello, this is not a program\n", 0755, path);
    fails(path, "ENOEXEC", "an executable text file");
    file("empty", "", 0755, path);
    fails(path, "ENOEXEC", "an empty executable file");

    puts("-- #! scripts");
    char text[4400], *evs[] = { strip, "FROM=script", NULL };
    snprintf(text, sizeof text, "#!%s -x\nthis line is not read\n", echo);
    file("s1.sh", text, 0755, path);
    char *as1[] = { "ignored-argv0", "a", "b", NULL };
    st = run(path, as1, evs);
    check(!strcmp(st, "exit 0"), "#!echoargs -x: %s", st);

    snprintf(text, sizeof text, "#!%s\n", echo);
    file("s2.sh", text, 0755, path);
    char *as2[] = { "s2", "only", NULL };
    st = run(path, as2, evs);
    check(!strcmp(st, "exit 0"), "#!echoargs: %s", st);

    snprintf(text, sizeof text, "#! \t%s \t -x -y \t\n", echo);
    file("s3.sh", text, 0755, path);
    char *as3[] = { "s3", NULL };
    st = run(path, as3, evs);
    check(!strcmp(st, "exit 0"), "#! with spaces and tabs: %s", st);

    file("s4.sh", "#!\n", 0755, path);
    fails(path, "ENOEXEC", "\"#!\" and nothing else");
    snprintf(text, sizeof text, "#!%s/no-such-interpreter\n", dir);
    file("s5.sh", text, 0755, path);
    fails(path, "ENOENT", "a missing interpreter");

    static const char *const scratch[] = { "noexec.sh", "text.txt", "empty", "s1.sh", "s2.sh", "s3.sh", "s4.sh", "s5.sh" };
    for (int i = 0; i < 8; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, scratch[i]);
        unlink(path);
    }
    return done();
}
