/*
 * args.c — what a Linux process finds at start: argc/argv (argv[argc] is
 * NULL), the environment exactly as given (the test passes the same
 * explicit environment to both runs), getenv/setenv/unsetenv, and the
 * auxiliary vector. Hand-worked expectations: AT_PAGESZ is 4096 on
 * riscv64 Linux; AT_HWCAP has the bit of each single-letter extension
 * ('a' = bit 0) and RV64GC needs I, M, A, F, D, C = 0x112d; AT_PHDR,
 * AT_PHENT, AT_PHNUM and AT_ENTRY describe this very executable, which is
 * static, so AT_BASE (the interpreter's base) is 0; AT_SECURE is 0;
 * AT_RANDOM points at 16 bytes.
 * guest-args: alpha -x --long=value 42 ünï¢ødé
 * guest-env: HOME=/home/guest LANG=C MVM_TEST=1 EMPTY= PATH=/bin:/usr/bin
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#ifdef __PICOLIBC__
unsigned long getauxval(unsigned long type); /* provided by sdk/picolibc */
#else
#include <sys/auxv.h>
#endif

extern char **environ;
extern const Elf64_Ehdr __ehdr_start; /* defined by the linker */

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv, char **envp)
{
	printf("argc = %d, program %s\n", argc, base(argv[0]));
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = \"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
	check("argv[argc] is NULL", argv[argc] == NULL);
	check("argv strings follow argv[0]", argc < 2 || argv[1] > argv[0]);

	size_t n = 0;
	while (envp[n])
		n++;
	check("environ is envp", environ == envp);
	char **sorted = malloc((n + 1) * sizeof *sorted);
	memcpy(sorted, envp, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, cmp);
	printf("%zu environment strings:\n", n);
	for (size_t i = 0; i < n; i++)
		printf("  %s\n", sorted[i]);
	free(sorted);
	check("getenv finds a variable", getenv("MVM_TEST") && strcmp(getenv("MVM_TEST"), "1") == 0);
	check("getenv finds an empty variable", getenv("EMPTY") && getenv("EMPTY")[0] == 0);
	check("getenv misses an absent variable", getenv("NOT_SET_ANYWHERE") == NULL);
	setenv("ADDED", "yes", 1);
	setenv("HOME", "/elsewhere", 0);
	unsetenv("LANG");
	printf("after setenv/unsetenv: ADDED=%s HOME=%s LANG=%s\n", getenv("ADDED"),
	       getenv("HOME"), getenv("LANG") ? getenv("LANG") : "(unset)");

	unsigned long pagesz = getauxval(AT_PAGESZ), hwcap = getauxval(AT_HWCAP);
	printf("AT_PAGESZ = %lu, AT_HWCAP = %#lx\n", pagesz, hwcap);
	check("AT_PAGESZ is 4096", pagesz == 4096);
	check("AT_HWCAP has IMAFDC", (hwcap & 0x112d) == 0x112d);
	const Elf64_Ehdr *eh = &__ehdr_start;
	unsigned long phdr = getauxval(AT_PHDR);
	check("AT_PHDR is this program's header table",
	      phdr == (uintptr_t)eh + eh->e_phoff);
	check("AT_PHENT is sizeof(Elf64_Phdr)", getauxval(AT_PHENT) == sizeof(Elf64_Phdr));
	check("AT_PHNUM matches the ELF header", getauxval(AT_PHNUM) == eh->e_phnum);
	check("AT_ENTRY matches the ELF header", getauxval(AT_ENTRY) == eh->e_entry);
	check("AT_BASE is 0 (no interpreter)", getauxval(AT_BASE) == 0);
	check("AT_SECURE is 0", getauxval(AT_SECURE) == 0);
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	unsigned sum = 0;
	if (rnd)
		for (int i = 0; i < 16; i++)
			sum += rnd[i];
	check("AT_RANDOM points at 16 readable bytes", rnd != NULL && sum <= 16 * 255);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	check("AT_EXECFN names this program",
	      execfn && strcmp(base(execfn), base(argv[0])) == 0);
	printf("AT_CLKTCK = %lu\n", getauxval(AT_CLKTCK));
	return check_failures ? 1 : 0;
}
