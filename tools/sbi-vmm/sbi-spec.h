/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SBI specification constants (v3.0) that the VMM and its test guests use:
 * extension and function IDs, error codes and reset types. Plain C, no
 * headers, so that the freestanding test guest can include it too.
 */
#ifndef SBI_SPEC_H
#define SBI_SPEC_H

/* Legacy extensions (v0.1): each function is an EID of its own. */
#define SBI_EXT_LEGACY_PUTCHAR		0x01
#define SBI_EXT_LEGACY_GETCHAR		0x02
#define SBI_EXT_LEGACY_SHUTDOWN		0x08

#define SBI_EXT_BASE			0x10
#define SBI_BASE_GET_SPEC_VERSION	0
#define SBI_BASE_GET_IMPL_ID		1
#define SBI_BASE_PROBE_EXTENSION	3

#define SBI_EXT_HSM			0x48534d
#define SBI_HSM_HART_START		0
#define SBI_HSM_HART_STOP		1

#define SBI_EXT_SRST			0x53525354
#define SBI_EXT_SUSP			0x53555350
#define SBI_SRST_SYSTEM_RESET		0
#define SBI_SRST_TYPE_SHUTDOWN		0
#define SBI_SRST_TYPE_COLD_REBOOT	1
#define SBI_SRST_TYPE_WARM_REBOOT	2
#define SBI_SRST_REASON_NONE		0
#define SBI_SRST_REASON_SYS_FAILURE	1

#define SBI_EXT_DBCN			0x4442434e
#define SBI_DBCN_CONSOLE_WRITE		0
#define SBI_DBCN_CONSOLE_READ		1
#define SBI_DBCN_CONSOLE_WRITE_BYTE	2

#define SBI_EXT_EXPERIMENTAL_START	0x08000000
#define SBI_EXT_EXPERIMENTAL_END	0x08ffffff
#define SBI_EXT_VENDOR_START		0x09000000
#define SBI_EXT_VENDOR_END		0x09ffffff

#define SBI_IMPL_ID_KVM			3

#define SBI_SUCCESS			0
#define SBI_ERR_FAILED			-1
#define SBI_ERR_NOT_SUPPORTED		-2
#define SBI_ERR_INVALID_PARAM		-3
#define SBI_ERR_DENIED			-4
#define SBI_ERR_INVALID_ADDRESS		-5

#endif /* SBI_SPEC_H */
