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

        cpu     686
        bits    16
        org     0

ROM_SIZE        equ     1024

FWCFG_SELECTOR  equ     0x510
FWCFG_DATA      equ     0x511
FWCFG_DMA_HIGH  equ     0x514
FWCFG_DMA_LOW   equ     0x518

FW_CFG_SIGNATURE   equ  0x00
FW_CFG_ID          equ  0x01
FW_CFG_KERNEL_ADDR equ  0x07
FW_CFG_KERNEL_SIZE equ  0x08
FW_CFG_INITRD_SIZE equ  0x0B
FW_CFG_KERNEL_DATA equ  0x11
FW_CFG_INITRD_DATA equ  0x12
FW_CFG_CMDLINE_ADDR equ 0x13
FW_CFG_CMDLINE_SIZE equ 0x14
FW_CFG_CMDLINE_DATA equ 0x15
FW_CFG_SETUP_ADDR  equ  0x16
FW_CFG_SETUP_SIZE  equ  0x17
FW_CFG_SETUP_DATA  equ  0x18

FW_CFG_ID_DMA      equ  0x02
DMA_ERROR          equ  0x01
DMA_READ           equ  0x02
DMA_SELECT         equ  0x08

; boot_params offsets of the setup header (boot.rst "The real-mode kernel header").
HDR_RAMDISK_IMAGE  equ  0x218

; ---- The option ROM header (IBM PC/AT Technical Reference, "Adapter ROM") ----
        db      0x55, 0xAA
        db      ROM_SIZE / 512
        jmp     init                    ; the init entry at offset 3
        times   0x18 - ($ - $$) db 0
        dw      0                       ; no PCI data structure
        dw      pnp_header              ; the PnP expansion header

; ---- The PnP expansion header (PnP BIOS 1.0A, 3.2; BBS 1.01 appendix C): 32 bytes, summing to zero ----
        align   16
pnp_header:
        db      "$PnP"
        db      1                       ; structure revision
        db      2                       ; length in 16-byte units
        dw      0                       ; no next header
        db      0
        db      -(('$' + 'P' + 'n' + 'P' + 1 + 2 + ((product - $$) & 0xFF) + ((product - $$) >> 8) \
                  + ((bev - $$) & 0xFF) + ((bev - $$) >> 8)) & 0xFF)
        dd      0                       ; device identifier
        dw      0                       ; no manufacturer string
        dw      product                 ; product name: what boot menus show
        db      0, 0, 0                 ; device type code
        db      0                       ; device indicators
        dw      0                       ; no boot connection vector
        dw      0                       ; no disconnect vector
        dw      bev                     ; the bootstrap entry vector
        dw      0
        dw      0                       ; no static resource information

product:        db      "Linux loader (fw_cfg)", 0
msg_no_fwcfg:   db      "linuxboot: no fw_cfg DMA interface", 13, 10, 0
msg_no_kernel:  db      "linuxboot: no kernel in fw_cfg", 13, 10, 0
msg_dma_failed: db      "linuxboot: fw_cfg DMA transfer failed", 13, 10, 0

; init: nothing to set up at POST; the kernel is loaded when the BIOS boots through the BEV.
init:
        retf

; bev: loads the kernel's pieces and starts the setup code; returns only if it cannot.
bev:
        cli
        cld
        mov     ax, FW_CFG_SIGNATURE
        call    fw_read32
        cmp     eax, 'QEMU'
        jne     .no_fwcfg
        mov     ax, FW_CFG_ID
        call    fw_read32
        test    al, FW_CFG_ID_DMA
        jz      .no_fwcfg
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

.no_fwcfg:
        mov     si, msg_no_fwcfg
        jmp     .fail
.no_kernel:
        mov     si, msg_no_kernel
        jmp     .fail
.dma_failed:
        mov     si, msg_dma_failed
.fail:  sti
        call    print
        retf

; fw_read32: AX = key -> EAX = the item's first four bytes, little-endian. Clobbers CX, DX.
fw_read32:
        push    cx
        mov     dx, FWCFG_SELECTOR
        out     dx, ax
        inc     dx
        mov     cx, 4
.byte:  in      al, dx                  ; the first byte ends lowest after four rotations
        ror     eax, 8
        loop    .byte
        pop     cx
        ret

; fw_dma: AX = key, ECX = bytes, EDI = physical destination -> CF set if the device reported an
; error. The FWCfgDmaAccess (control, length, 64-bit address, all big-endian) is on the stack.
; Clobbers EAX, EDX.
fw_dma:
        push    bp
        push    esi
        sub     sp, 16
        mov     bp, sp
        movzx   eax, ax
        shl     eax, 16
        or      eax, DMA_SELECT | DMA_READ
        bswap   eax
        mov     [bp], eax
        mov     eax, ecx
        bswap   eax
        mov     [bp + 4], eax
        mov     dword [bp + 8], 0
        mov     eax, edi
        bswap   eax
        mov     [bp + 12], eax
        mov     dx, FWCFG_DMA_HIGH
        xor     eax, eax
        out     dx, eax
        mov     ax, ss                  ; the descriptor's physical address: SS * 16 + BP
        shl     eax, 4
        movzx   esi, bp
        add     eax, esi
        bswap   eax
        mov     dx, FWCFG_DMA_LOW       ; writing the low half starts the transfer
        out     dx, eax
.wait:  mov     eax, [bp]               ; the device clears the control word when done
        bswap   eax
        test    eax, ~DMA_ERROR
        jnz     .wait
        add     sp, 16
        pop     esi
        pop     bp
        shr     al, 1                   ; CF = the error bit
        ret

; print: the NUL-terminated string at CS:SI through INT 10h teletype.
print:
        push    ds
        push    cs
        pop     ds
.next:  lodsb
        test    al, al
        jz      .done
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        jmp     .next
.done:  pop     ds
        ret

        times   ROM_SIZE - 1 - ($ - $$) db 0
        db      0                       ; bios/build.sh makes the bytes sum to zero here
