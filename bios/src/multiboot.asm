; multiboot.bin: the option ROM that boots the Multiboot 1 kernel the board put in fw_cfg for
; -kernel, as QEMU's multiboot_dma.bin does. The board offers it as fw_cfg file
; genroms/multiboot.bin, first in the bootorder file; the BIOS initialises it and boots through
; the bootstrap entry vector (BEV) of its PnP header (BIOS Boot Specification 1.01, 6.5).
;
; fw_cfg (QEMU docs/specs/fw_cfg.rst; keys as QEMU's): KERNEL_ADDR/SIZE/DATA hold the kernel's
; segments (bss zeroed) and the modules as one block, KERNEL_ENTRY the entry point, and
; INITRD_ADDR/SIZE/DATA the Multiboot information (Multiboot Specification 0.6.96, 3.3 "Boot
; information format") the board built below 1 MiB: flags, the command lines, the module list,
; the loader name, and room for the memory map, whose address is in mmap_addr. The BEV copies
; both blocks with the DMA interface, then fills in what only the firmware knows: mem_lower
; (INT 12h), mem_upper (INT 15h E801: KiB from 1 MiB up to the first hole) and the memory map
; (INT 15h E820, each entry preceded by its size, 20, as spec 3.3 asks), sets mmap_length, and
; enters the kernel in the state of spec 3.2 "Machine state": EAX = 2BADB002h, EBX = the
; information's address, CS and the data segments flat 32-bit (0 to 4 GiB), A20 on, paging
; and interrupts off.
;
; Without fw_cfg DMA or a kernel the BEV prints why and returns, and the BIOS goes on with its
; next boot device. Build: bios/build.sh (which also makes the bytes sum to zero).

%include "loaderrom.inc"

; Multiboot information offsets (spec 3.3).
MBI_MEM_LOWER      equ  4
MBI_MEM_UPPER      equ  8
MBI_MMAP_LENGTH    equ  44
MBI_MMAP_ADDR      equ  48
MMAP_MAX           equ  32                  ; entries the board left room for
MAGIC              equ  0x2BADB002

        LOADER_ROM_HEADER "Multiboot loader (fw_cfg)", "multiboot"

bev:
        cld
        LOADER_ROM_NEED_FWCFG_DMA
        mov     ax, FW_CFG_KERNEL_SIZE
        call    fw_read32
        test    eax, eax
        jz      .no_kernel
        mov     ecx, eax
        mov     ax, FW_CFG_KERNEL_ADDR
        call    fw_read32
        mov     edi, eax
        mov     ax, FW_CFG_KERNEL_DATA
        call    fw_dma
        jc      .dma_failed
        mov     ax, FW_CFG_INITRD_SIZE
        call    fw_read32
        mov     ecx, eax
        mov     ax, FW_CFG_INITRD_ADDR
        call    fw_read32
        mov     edi, eax
        mov     ax, FW_CFG_INITRD_DATA
        call    fw_dma
        jc      .dma_failed

        ; FS:0 = the information (below 1 MiB, paragraph aligned by the board).
        mov     eax, edi
        shr     eax, 4
        mov     fs, ax
        int     0x12
        movzx   eax, ax
        mov     [fs:MBI_MEM_LOWER], eax
        mov     ax, 0xE801
        xor     cx, cx
        xor     dx, dx
        int     0x15
        jc      .e820
        test    cx, cx                  ; some BIOSes answer in CX/DX only
        jz      .e801
        mov     ax, cx
        mov     bx, dx
.e801:  movzx   eax, ax
        movzx   ebx, bx
        test    ebx, ebx                ; above 16 MiB only when 1-16 MiB is all there
        jz      .upper
        shl     ebx, 6
        add     eax, ebx
.upper: mov     [fs:MBI_MEM_UPPER], eax

.e820:  ; ES:DI = the map's room (mmap_addr is a linear address below 1 MiB)
        mov     eax, [fs:MBI_MMAP_ADDR]
        mov     di, ax
        and     di, 0xF
        shr     eax, 4
        mov     es, ax
        xor     ebx, ebx
        xor     si, si                  ; entries so far
.entry: mov     dword [es:di], 20       ; the entry's size field
        add     di, 4
        mov     eax, 0xE820
        mov     ecx, 20
        mov     edx, 'PAMS'
        int     0x15
        jc      .mapped
        cmp     eax, 'PAMS'
        jne     .mapped
        add     di, 20
        inc     si
        cmp     si, MMAP_MAX
        jae     .mapped
        test    ebx, ebx
        jnz     .entry
.mapped:
        movzx   eax, si
        imul    eax, eax, 24
        mov     [fs:MBI_MMAP_LENGTH], eax

        ; Flat protected mode (Intel SDM vol. 3, 9.9.1): a GDT on the stack (null, code 08h,
        ; data 10h), then a far return into the 32-bit code below at its linear address.
        cli
        in      al, 0x92
        or      al, 0x02                ; A20 on (bit 0 would reset the CPU)
        and     al, 0xFE
        out     0x92, al
        mov     ax, FW_CFG_KERNEL_ENTRY
        call    fw_read32
        mov     esi, eax                ; ESI = the entry
        xor     edi, edi
        mov     di, fs
        shl     edi, 4                  ; EDI = the information's address
        push    dword 0x00CF9300        ; data: base 0, limit 4 GiB, read/write, accessed
        push    dword 0x0000FFFF
        push    dword 0x00CF9B00        ; code: base 0, limit 4 GiB, execute/read, accessed
        push    dword 0x0000FFFF
        push    dword 0
        push    dword 0                 ; the null descriptor
        movzx   ebx, sp
        xor     eax, eax
        mov     ax, ss
        shl     eax, 4
        add     eax, ebx                ; the GDT's linear address
        push    eax
        push    word 3 * 8 - 1
        mov     bp, sp
        o32 lgdt [bp]
        xor     eax, eax
        mov     ax, cs
        shl     eax, 4
        add     eax, pm32               ; CS base + offset
        push    dword 0x08
        push    eax
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        o32 retf

        LOADER_ROM_FAILURES

        bits    32
pm32:   mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     eax, MAGIC
        mov     ebx, edi
        jmp     esi
        bits    16

        LOADER_ROM_ROUTINES
