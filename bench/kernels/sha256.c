/* sha256.c — SHA-256 (FIPS 180-4) over SIZE MiB of data.
 *
 * Mostly 32-bit rotates, adds and xors on registers: the cost of plain
 * integer ALU work and of zero-extending 32-bit results on RV64.
 * A 1 MiB buffer of pseudo-random bytes is hashed SIZE times; before each
 * pass the previous digest is written into its first 32 bytes, so every pass
 * depends on the last and nothing can be hoisted.  The FIPS 180-2 example
 * vectors are checked first; a wrong implementation exits 1. */
#include "kernel.h"
#include <string.h>

#define BUF_BYTES (1u << 20)

typedef struct {
	uint32_t h[8];
	uint8_t block[64];
	uint64_t total;
	unsigned fill;
} sha256_ctx;

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_init(sha256_ctx *c)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, h0, sizeof h0);
	c->total = 0;
	c->fill = 0;
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
			      ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
			      ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n)
{
	c->total += n;
	if (c->fill) {
		while (n && c->fill < 64) {
			c->block[c->fill++] = *p++;
			n--;
		}
		if (c->fill < 64)
			return;
		sha256_block(c->h, c->block);
		c->fill = 0;
	}
	for (; n >= 64; p += 64, n -= 64)
		sha256_block(c->h, p);
	memcpy(c->block, p, n);
	c->fill = (unsigned)n;
}

static void sha256_final(sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->total * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;
	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(c->h[i] >> (24 - 8 * j));
}

static void hex(const uint8_t d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* FIPS 180-2 appendix B: one-block, two-block and million-'a' messages. */
static int self_test(void)
{
	static const struct { const char *msg; unsigned repeat; const char *want; } v[] = {
		{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "aaaaaaaaaa", 100000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		sha256_ctx c;
		uint8_t d[32];
		char got[65];
		sha256_init(&c);
		for (unsigned r = 0; r < v[i].repeat; r++)
			sha256_update(&c, (const uint8_t *)v[i].msg, strlen(v[i].msg));
		sha256_final(&c, d);
		hex(d, got);
		if (strcmp(got, v[i].want) != 0) {
			fprintf(stderr, "sha256 self-test %zu: got %s want %s\n", i, got, v[i].want);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t mib = kernel_size(argc, argv, 48);
	if (!self_test())
		return 1;
	uint8_t *buf = xmalloc(BUF_BYTES);
	uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
	for (size_t i = 0; i < BUF_BYTES; i += 8) {
		uint64_t r = rng_next(&seed);
		for (int j = 0; j < 8; j++)
			buf[i + j] = (uint8_t)(r >> (8 * j));
	}
	uint8_t d[32] = { 0 };
	for (uint64_t pass = 0; pass < mib; pass++) {
		sha256_ctx c;
		memcpy(buf, d, sizeof d);
		sha256_init(&c);
		sha256_update(&c, buf, BUF_BYTES);
		sha256_final(&c, d);
	}
	char out[65];
	hex(d, out);
	printf("sha256 mib=%llu digest=%s\n", (unsigned long long)mib, out);
	free(buf);
	return 0;
}
