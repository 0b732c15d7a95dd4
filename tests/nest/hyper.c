/*
 * hyper.c — a guest that abuses the hypercall interface of the monitor
 * above it (include/mvm_hypercall.h), from whatever depth.
 *
 *   hyper SELF          SELF: a copy of this program in /nest-data
 *   hyper child FILE    (run by the first form as its own child VM)
 *
 * Expects /nest-data writable and /nest-img (holding mvm.rv64) read-only.
 * Every call prints one line, "what: result"; tests/nest/hyper.expected
 * holds what the interface promises: a pointer outside the caller's memory
 * is EFAULT, a handle the caller was not given is EBADF, a malformed
 * request is EINVAL, an unknown hypercall ENOSYS, a full handle table
 * EMFILE, and a grant never widens: a child given the read-only image
 * directory as writable still cannot write the image (Linux's EROFS).
 * Nothing a guest passes may crash a monitor at any depth.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvm_hypercall.h"

static long hc(unsigned n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
               uint64_t a5)
{
	register uint64_t x10 __asm__("a0") = a0;
	register uint64_t x11 __asm__("a1") = a1;
	register uint64_t x12 __asm__("a2") = a2;
	register uint64_t x13 __asm__("a3") = a3;
	register uint64_t x14 __asm__("a4") = a4;
	register uint64_t x15 __asm__("a5") = a5;
	register uint64_t x17 __asm__("a7") = MVM_HC_BASE + n;
	__asm__ volatile("ecall"
			 : "+r"(x10)
			 : "r"(x11), "r"(x12), "r"(x13), "r"(x14), "r"(x15), "r"(x17)
			 : "memory");
	return (long)x10;
}

static const char *result(long r)
{
	static char buf[32];
	switch (r) {
	case -EPERM: return "EPERM";
	case -ENOENT: return "ENOENT";
	case -EBADF: return "EBADF";
	case -ENOMEM: return "ENOMEM";
	case -EACCES: return "EACCES";
	case -EFAULT: return "EFAULT";
	case -EINVAL: return "EINVAL";
	case -EMFILE: return "EMFILE";
	case -EROFS: return "EROFS";
	case -ENOSYS: return "ENOSYS";
	case -ENAMETOOLONG: return "ENAMETOOLONG";
	}
	if (r < 0)
		snprintf(buf, sizeof buf, "error %ld", -r);
	else
		snprintf(buf, sizeof buf, "ok");
	return buf;
}

static void report(const char *what, long r)
{
	printf("%s: %s\n", what, result(r));
}

/* An address no Linux process has mapped. */
static uint64_t unmapped(void)
{
	volatile uint64_t a = 16;
	return a;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A config record: 64 MiB, no budget, the given flags. */
static void config(uint8_t c[MVM_HC_CONFIG_SIZE], int64_t budget, uint32_t flags)
{
	memset(c, 0, MVM_HC_CONFIG_SIZE);
	put64(c, 64u << 20);
	put64(c + 8, (uint64_t)budget);
	put32(c + 16, flags);
}

/* The args record for argv (argc strings), no environment; its size. */
static size_t args_blob(uint8_t *out, size_t cap, int argc, const char **argv)
{
	size_t n = 8;
	put32(out, (uint32_t)argc);
	put32(out + 4, 0);
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (n + l > cap)
			return 0;
		memcpy(out + n, argv[i], l);
		n += l;
	}
	return n;
}

/* The child: try to write the image, leave a mark, exit with the errno. */
static int child(const char *file)
{
	int fd = open(file, O_WRONLY);
	int e = fd < 0 ? errno : 0;
	int mark = open("/data/child-ran", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (mark >= 0) {
		if (write(mark, "child ran\n", 10) != 10)
			e = 100;
		close(mark);
	}
	return e;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: hyper SELF\n");
		return 2;
	}
	uint8_t cfg[MVM_HC_CONFIG_SIZE], ex[MVM_HC_EXIT_SIZE];
	uint8_t regs[MVM_HC_REGS_SIZE], blob[512];
	long r;

	r = hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0);
	printf("probe answers the magic: %s\n", r == MVM_HC_MAGIC ? "yes" : "no");
	report("hypercall number 200", hc(200, 0, 0, 0, 0, 0, 0));
	report("hypercall number 2^32-1 above the base", hc(0xffffffffu - MVM_HC_BASE, 0, 0, 0, 0, 0, 0));

	/* Handles the caller never got. */
	report("destroy handle 7", hc(MVM_HC_VM_DESTROY, 7, 0, 0, 0, 0, 0));
	report("run handle 0", hc(MVM_HC_VM_RUN, 0, (uint64_t)ex, 0, 0, 0, 0));
	report("run handle 65", hc(MVM_HC_VM_RUN, 65, (uint64_t)ex, 0, 0, 0, 0));
	report("run handle -1", hc(MVM_HC_VM_RUN, UINT64_MAX, (uint64_t)ex, 0, 0, 0, 0));
	report("read registers of handle 3", hc(MVM_HC_VCPU_GET, 3, (uint64_t)regs, 0, 0, 0, 0));

	/* Malformed creations. */
	report("create from an unmapped config", hc(MVM_HC_VM_CREATE, unmapped(), 0, 0, 0, 0, 0));
	config(cfg, 0, 0);
	report("create with unknown flags", hc(MVM_HC_VM_CREATE, (uint64_t)cfg, 0x80, 0, 0, 0, 0));
	report("create backed by handle 9", hc(MVM_HC_VM_CREATE, (uint64_t)cfg, MVM_HC_CREATE_NO_UNROLL, 9, 0, 0, 0));
	config(cfg, -5, 0);
	report("create with a negative budget", hc(MVM_HC_VM_CREATE, (uint64_t)cfg, 0, 0, 0, 0, 0));
	config(cfg, 0, 0x80000000u);
	report("create with unknown config flags", hc(MVM_HC_VM_CREATE, (uint64_t)cfg, 0, 0, 0, 0, 0));

	/* A real child, then bad pointers and sizes against it. */
	config(cfg, 0, 0);
	long h = hc(MVM_HC_VM_CREATE, (uint64_t)cfg, 0, 0, 0, 0, 0);
	printf("create: %s\n", h >= 1 ? "a handle" : result(h));
	report("registers into unmapped memory", hc(MVM_HC_VCPU_GET, (uint64_t)h, unmapped(), 0, 0, 0, 0));
	report("registers from unmapped memory", hc(MVM_HC_VCPU_SET, (uint64_t)h, unmapped(), 0, 0, 0, 0));
	report("run with an unmapped exit record", hc(MVM_HC_VM_RUN, (uint64_t)h, unmapped(), 0, 0, 0, 0));
	report("stats into unmapped memory", hc(MVM_HC_VM_STATS, (uint64_t)h, unmapped(), 0, 0, 0, 0));
	report("set the working directory from an unmapped path", hc(MVM_HC_VM_SET_CWD, (uint64_t)h, unmapped(), 0, 0, 0, 0));
	report("add a directory from an unmapped path", hc(MVM_HC_VM_ADD_DIR, (uint64_t)h, 0, unmapped(), (uint64_t)"/x", 0, 0));
	report("add /etc, which the caller cannot see", hc(MVM_HC_VM_ADD_DIR, (uint64_t)h, 0, (uint64_t)"/etc", (uint64_t)"/etc", 0, 0));
	report("load an image over the size limit", hc(MVM_HC_VM_LOAD_ELF, (uint64_t)h, (uint64_t)"x", (uint64_t)blob, MVM_HC_IMAGE_MAX + 1ull, (uint64_t)blob, 8));
	report("load from an unmapped image", hc(MVM_HC_VM_LOAD_ELF, (uint64_t)h, (uint64_t)"x", unmapped(), 4096, (uint64_t)blob, 8));
	report("load with a 4-byte args record", hc(MVM_HC_VM_LOAD_ELF, (uint64_t)h, (uint64_t)"x", (uint64_t)blob, 16, (uint64_t)blob, 4));
	put32(blob, 1000);
	put32(blob + 4, 0);
	memcpy(blob + 8, "x", 2);
	report("load with argc beyond the args record", hc(MVM_HC_VM_LOAD_ELF, (uint64_t)h, (uint64_t)"x", (uint64_t)blob, 16, (uint64_t)blob, 10));
	r = hc(MVM_HC_VM_MAP, (uint64_t)h, 1ull << 20, 1ull << 60, 3, 0, 0);
	printf("map 2^60 bytes into the child: %s\n", r < 0 ? "refused" : "accepted");

	/* Widening: the read-only image directory offered as writable. */
	long add = hc(MVM_HC_VM_ADD_DIR, (uint64_t)h, 0, (uint64_t)"/nest-img", (uint64_t)"/img", 0, 0);
	report("add /nest-data as /data", hc(MVM_HC_VM_ADD_DIR, (uint64_t)h, 0, (uint64_t)"/nest-data", (uint64_t)"/data", 0, 0));
	FILE *f = fopen(argv[1], "rb");
	static uint8_t image[4 << 20];
	size_t size = f ? fread(image, 1, sizeof image, f) : 0;
	if (f)
		fclose(f);
	printf("read my own image: %s\n", size > 0 && size < sizeof image ? "ok" : "failed");
	const char *cargv[] = { "/data/hyper", "child", "/img/mvm.rv64" };
	size_t blen = args_blob(blob, sizeof blob, 3, cargv);
	report("load myself as the child", hc(MVM_HC_VM_LOAD_ELF, (uint64_t)h, (uint64_t)"/data/hyper", (uint64_t)image, size, (uint64_t)blob, blen));
	report("read child memory into unmapped memory", hc(MVM_HC_VM_READ, (uint64_t)h, 0x10000, unmapped(), 64, 0, 0));
	report("write child memory from unmapped memory", hc(MVM_HC_VM_WRITE, (uint64_t)h, 0x10000, unmapped(), 64, 0, 0));
	memset(ex, 0xee, sizeof ex);
	r = hc(MVM_HC_VM_RUN, (uint64_t)h, (uint64_t)ex, 0, 0, 0, 0);
	report("run the child", r);
	int refused = add < 0 || (r == 0 && get32(ex) == 1 && get32(ex + 4) == EROFS);
	printf("the image stays read-only for the child: %s\n", refused ? "yes" : "no");
	printf("the child exited: %s\n", r == 0 && get32(ex) == 1 ? "yes" : "no");
	report("destroy the child", hc(MVM_HC_VM_DESTROY, (uint64_t)h, 0, 0, 0, 0, 0));
	report("destroy it again", hc(MVM_HC_VM_DESTROY, (uint64_t)h, 0, 0, 0, 0, 0));
	report("run it after destroying", hc(MVM_HC_VM_RUN, (uint64_t)h, (uint64_t)ex, 0, 0, 0, 0));

	/* The handle table is bounded. */
	config(cfg, 0, 0);
	int made = 0;
	long last = 0;
	for (int i = 0; i < MVM_HC_MAX_CHILDREN + 8; i++) {
		last = hc(MVM_HC_VM_CREATE, (uint64_t)cfg, 0, 0, 0, 0, 0);
		if (last < 0)
			break;
		made++;
	}
	/* 64 per caller; in trusted mode the level that forwards our requests
	 * holds our own VM in the same table, so a guest at depth d gets
	 * 64 - (d - 1) (docs/hypercalls.md). */
	printf("the handle table holds at most 64 VMs: %s\n",
	       made > MVM_HC_MAX_CHILDREN - 8 && made <= MVM_HC_MAX_CHILDREN ? "yes" : "no");
	report("the next create", last);
	int destroyed = 0;
	for (int i = 1; i <= MVM_HC_MAX_CHILDREN; i++)
		destroyed += hc(MVM_HC_VM_DESTROY, (uint64_t)i, 0, 0, 0, 0, 0) == 0;
	printf("every child created was destroyed: %s\n", destroyed == made ? "yes" : "no");
	return 0;
}
