; linuxboot.bin: the option ROM that boots the Linux kernel the board put in fw_cfg for
; -kernel/-initrd/-append, as QEMU's linuxboot_dma.bin does. The board offers it as fw_cfg file
; genroms/linuxboot.bin and names it first in the bootorder file ("/rom@genroms/linuxboot.bin",
; QEMU's bootindex 0 for it); the BIOS (SeaBIOS or this project's) copies it into the option ROM
; area, calls its init entry, and at boot calls the bootstrap entry vector (BEV) of its PnP
; expansion header (BIOS Boot Specification 1.01, 3.3 and appendix C; PnP BIOS 1.0A, 3.2).
;
; The BEV reads the kernel's pieces from fw_cfg (QEMU docs/specs/fw_cfg.rst; keys as QEMU's
; hw/nvram/fw_cfg_keys.h): SETUP_* (the boot sector and real-mode setup code, setup header
; already patched by the board: type_of_loader, CAN_USE_HEAP, heap_end_ptr, cmd_line_ptr,
; ramdisk_image and ramdisk_size, Linux Documentation/arch/x86/boot.rst "The Linux/x86 Boot
; Protocol"), KERNEL_* (the protected-mode kernel), CMDLINE_* and INITRD_*. Each *_ADDR/*_SIZE
; item is a 32-bit little-endian value read through the data port; each *_DATA blob goes
; straight to its address with the DMA interface (fw_cfg.rst "DMA interface": a big-endian
; FWCfgDmaAccess whose physical address is written big-endian to ports 514h/518h), which reaches
; memory above 1 MiB from real mode. The initrd goes where the header's ramdisk_image says.
; Then, as boot.rst "Running the kernel" asks: DS = ES = FS = GS = SS = the setup segment, SP
; below the command line (the heap ends at heap_end_ptr), interrupts off, and a far jump to the
; setup code at segment + 20h, offset 0. The kernel's own setup then asks the BIOS for the
; memory map (INT 15h E820), the video mode and the rest.
;
; Without fw_cfg, without its DMA interface, or without a kernel in it, the BEV prints why and
; returns, and the BIOS tries its next boot device (BBS 1.01, 6.5.2). Build: bios/build.sh,
; which also sets the last byte so the image's bytes sum to zero.

%include "loaderrom.inc"

; boot_params offsets of the setup header (boot.rst "The real-mode kernel header").
HDR_RAMDISK_IMAGE  equ  0x218

        LOADER_ROM_HEADER "Linux loader (fw_cfg)", "linuxboot"

; bev: loads the kernel's pieces and starts the setup code; returns only if it cannot.
bev:
        cli
        cld
        LOADER_ROM_NEED_FWCFG_DMA
        mov     ax, FW_CFG_SETUP_SIZE
        call    fw_read32
        test    eax, eax
        jz      .no_kernel

        ; The setup code and header, then the kernel at its address, then the command line.
        mov     ecx, eax
        mov     ax, FW_CFG_SETUP_ADDR
        call    fw_read32
        mov     edi, eax
        mov     ax, FW_CFG_SETUP_DATA
        call    fw_dma
        jc      .dma_failed
        mov     ax, FW_CFG_KERNEL_SIZE
        call    fw_read32
        mov     ecx, eax
        mov     ax, FW_CFG_KERNEL_ADDR
        call    fw_read32
        mov     edi, eax
        mov     ax, FW_CFG_KERNEL_DATA
        call    fw_dma
        jc      .dma_failed
        mov     ax, FW_CFG_CMDLINE_SIZE
        call    fw_read32
        mov     ecx, eax
        mov     ax, FW_CFG_CMDLINE_ADDR
        call    fw_read32
        mov     edi, eax
        mov     ax, FW_CFG_CMDLINE_DATA
        call    fw_dma
        jc      .dma_failed

        ; The initrd where the header's ramdisk_image says (the board chose it below the RAM
        ; the firmware keeps for itself).
        mov     ax, FW_CFG_SETUP_ADDR
        call    fw_read32
        shr     eax, 4
        mov     bx, ax                  ; BX = the setup segment from here on
        mov     ax, FW_CFG_INITRD_SIZE
        call    fw_read32
        mov     ecx, eax
        jecxz   .start
        mov     es, bx
        mov     edi, [es:HDR_RAMDISK_IMAGE]
        mov     ax, FW_CFG_INITRD_DATA
        call    fw_dma
        jc      .dma_failed

.start: ; SP = the command line's offset in the setup segment - 16, as QEMU's loader sets it:
        ; above the setup code and heap (heap_end_ptr is the command line's offset - 200h).
        mov     ax, FW_CFG_CMDLINE_ADDR
        call    fw_read32
        movzx   edx, bx
        shl     edx, 4
        sub     eax, edx
        sub     eax, 16
        mov     ds, bx
        mov     es, bx
        mov     fs, bx
        mov     gs, bx
        mov     ss, bx
        mov     sp, ax
        add     bx, 0x20
        push    bx
        push    word 0
        xor     eax, eax
        xor     ebx, ebx
        xor     ecx, ecx
        xor     edx, edx
        xor     esi, esi
        xor     edi, edi
        xor     ebp, ebp
        retf

        LOADER_ROM_FAILURES

        LOADER_ROM_ROUTINES
