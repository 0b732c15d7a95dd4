/* exit42.c — the target bench/procs' spawn kernel execs: it exits at once
 * with status 42, so the parent knows the exec happened (a failed exec
 * leaves the child to exit with another status). */
int main(void)
{
    return 42;
}
