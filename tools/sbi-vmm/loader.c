// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory layout and loading: the kernel where its RISC-V Image header
 * asks (RAM_BASE + text_offset, image_size bytes), then the initrd and the
 * device tree above it, each 2 MiB aligned, none overlapping.
 *
 * Planning reads only file headers and sizes, so that every mistake on the
 * command line is reported before /dev/kvm is opened.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm.h"

/* The RISC-V Image header (Documentation/arch/riscv/boot-image-header.rst). */
#define IMAGE_HEADER_SIZE	64
#define IMAGE_TEXT_OFFSET	0x08	/* le64 */
#define IMAGE_IMAGE_SIZE	0x10	/* le64 */
#define IMAGE_MAGIC2		0x38	/* "RSC\x05" */
#define IMAGE_MAGIC2_VALUE	"RSC\x05"

/* Anything larger in a header is not a kernel we can place. */
#define IMAGE_FIELD_MAX		(1ULL << 40)

#define FDT_BASE_SIZE		(64 * 1024)
#define FDT_PER_CPU		1024

static int open_file(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pr_errno("cannot read %s %s", what, path);
	if (fstat(fd, &st)) {
		pr_errno("cannot read %s %s", what, path);
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("cannot read %s %s: not a regular file", what, path);
		goto out_close;
	}
	*size = st.st_size;
	return fd;
out_close:
	close(fd);
	return -1;
}

static int read_exact(int fd, void *buf, uint64_t len, uint64_t offset,
		      const char *path)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, p, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pr_errno("cannot read %s", path);
		if (n == 0) {
			pr_err("cannot read %s: file shrank while loading", path);
			return -1;
		}
		p += n;
		offset += n;
		len -= n;
	}
	return 0;
}

static int plan_kernel(const char *path, struct boot_layout *layout)
{
	uint8_t hdr[IMAGE_HEADER_SIZE];
	uint64_t size, text_offset, image_size;
	int fd, ret = -1;

	fd = open_file("kernel", path, &size);
	if (fd < 0)
		return -1;
	if (size < IMAGE_HEADER_SIZE ||
	    read_exact(fd, hdr, sizeof(hdr), 0, path) ||
	    memcmp(hdr + IMAGE_MAGIC2, IMAGE_MAGIC2_VALUE, 4)) {
		pr_err("%s is not a RISC-V Image (no \"RSC\\x05\" magic at offset 0x38)",
		       path);
		goto out;
	}
	memcpy(&text_offset, hdr + IMAGE_TEXT_OFFSET, 8);
	memcpy(&image_size, hdr + IMAGE_IMAGE_SIZE, 8);
	text_offset = le64toh(text_offset);
	image_size = le64toh(image_size);
	if (text_offset >= IMAGE_FIELD_MAX || image_size >= IMAGE_FIELD_MAX ||
	    text_offset % SZ_4K) {
		pr_err("%s: RISC-V Image header has an unusable text_offset %#" PRIx64
		       " or image_size %#" PRIx64, path, text_offset, image_size);
		goto out;
	}
	layout->kernel_addr = RAM_BASE + text_offset;
	layout->kernel_file = size;
	/* image_size 0 means "unknown" (header version 0.1). */
	layout->kernel_span = image_size > size ? image_size : size;
	ret = 0;
out:
	close(fd);
	return ret;
}

static int plan_initrd(const char *path, struct boot_layout *layout)
{
	int fd = open_file("initrd", path, &layout->initrd_size);

	if (fd < 0)
		return -1;
	close(fd);
	if (layout->initrd_size >= IMAGE_FIELD_MAX) {
		pr_err("initrd %s is too large", path);
		return -1;
	}
	return 0;
}

static int check_ram(const struct vmm_config *cfg,
		     const struct boot_layout *layout)
{
	uint64_t host = (uint64_t)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);

	if (layout->ram_needed > cfg->ram_size) {
		pr_err("--mem %" PRIu64
		       " MiB is too small: the kernel, initrd and device tree need %" PRIu64 " MiB",
		       cfg->ram_size / SZ_1M,
		       align_up(layout->ram_needed, SZ_1M) / SZ_1M);
		return -1;
	}
	if (cfg->ram_size > host) {
		pr_err("--mem %" PRIu64 " MiB is more than the host has (%" PRIu64 " MiB)",
		       cfg->ram_size / SZ_1M, host / SZ_1M);
		return -1;
	}
	return 0;
}

/**
 * loader__plan() - check the files and decide where everything goes
 * @cfg:	the command line
 * @layout:	filled with the addresses and sizes
 *
 * Return: 0, or -1 after one line saying what is wrong (an unreadable
 * file, a kernel that is not a RISC-V Image, too little or too much RAM).
 */
int loader__plan(const struct vmm_config *cfg, struct boot_layout *layout)
{
	uint64_t next;

	memset(layout, 0, sizeof(*layout));
	if (plan_kernel(cfg->kernel, layout))
		return -1;
	if (cfg->initrd && plan_initrd(cfg->initrd, layout))
		return -1;

	next = align_up(layout->kernel_addr + layout->kernel_span, SZ_2M);
	if (cfg->initrd) {
		layout->initrd_addr = next;
		next = align_up(next + layout->initrd_size, SZ_2M);
	}
	layout->fdt_addr = next;
	layout->fdt_max = FDT_BASE_SIZE + cfg->nr_cpus * FDT_PER_CPU +
			  strlen(cfg->cmdline);
	layout->ram_needed = next + layout->fdt_max - RAM_BASE;
	return check_ram(cfg, layout);
}

static int load_file(struct vm *vm, const char *path, uint64_t gpa,
		     uint64_t size)
{
	void *dst = vm__guest_ptr(vm, gpa, size);
	uint64_t now;
	int fd, ret;

	fd = open_file("file", path, &now);
	if (fd < 0)
		return -1;
	ret = dst ? read_exact(fd, dst, size, 0, path) : -1;
	close(fd);
	return ret;
}

/**
 * loader__load() - copy the kernel and initrd into guest RAM
 * @vm:		the VM, its RAM mapped
 * @layout:	from loader__plan()
 *
 * Return: 0, or -1 after saying why.
 */
int loader__load(struct vm *vm, const struct boot_layout *layout)
{
	const struct vmm_config *cfg = vm->cfg;

	if (load_file(vm, cfg->kernel, layout->kernel_addr, layout->kernel_file))
		return -1;
	if (cfg->initrd &&
	    load_file(vm, cfg->initrd, layout->initrd_addr, layout->initrd_size))
		return -1;
	return 0;
}
