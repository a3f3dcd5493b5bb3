; POST: from the reset vector to INT 19h. POST codes on port 0x80:
;   01 CPU in real mode       02 CPU self-check passed   03 BIOS shadowed into RAM
;   04 RAM sized              05 PIC/PIT/DMA/RTC set up   06 IVT set up
;   07 BDA/EBDA set up        08 keyboard controller      09 PCI enumerated
;   0A E820 map read          0B option ROMs scanned      0C BIOS segment write-protected
;   0D boot (INT 19h)         EE CPU self-check failed

post:
        cli
        cld
        ; The CMOS shutdown status byte (0Fh) tells why the CPU was reset (IBM PC/AT Technical
        ; Reference, "Shutdown Status Byte"; Ralf Brown's CMOS list): software that leaves
        ; protected mode through a reset sets 05h (EOI, then jump via 40:67), 0Ah (jump via
        ; 40:67), 0Bh (IRET with SS:SP from 40:67) or 0Ch (RETF with SS:SP from 40:67), and
        ; expects its RAM untouched, so these are handled before POST uses a stack. The byte
        ; is cleared first, so the next reset is a normal POST. Anything else: a full POST.
        mov     al, 0x0F
        out     0x70, al
        in      al, 0x71
        mov     ah, al
        mov     al, 0x0F
        out     0x70, al
        xor     al, al
        out     0x71, al
        mov     al, BDA_SEG
        movzx   si, al                  ; (no stack yet: SI carries the segment)
        mov     ds, si
        cmp     ah, 0x05
        je      .resume_eoi
        cmp     ah, 0x0A
        je      .resume_jmp
        cmp     ah, 0x0B
        je      .resume_iret
        cmp     ah, 0x0C
        je      .resume_retf
        jmp     .cold
.resume_eoi:
        in      al, 0x60                ; flush the keyboard byte, end any interrupt
        mov     al, 0x20
        out     0xA0, al
        out     0x20, al
.resume_jmp:
        jmp     far [0x67]
.resume_iret:
        lss     sp, [0x67]
        iret
.resume_retf:
        lss     sp, [0x67]
        retf
.cold:
        post_code 0x01
        xor     ax, ax
        mov     ss, ax
        mov     sp, POST_STACK
        mov     ax, cs
        mov     ds, ax

        ; A quick self-check of the CPU: sum 1..100 with a loop must give 5050.
        xor     ax, ax
        mov     cx, 100
.sum:   add     ax, cx
        loop    .sum
        cmp     ax, 5050
        jne     cpu_failed
        post_code 0x02

        call    shadow_bios
        post_code 0x03
        call    size_ram
        post_code 0x04
        call    init_pic
        call    init_pit
        call    init_dma
        call    init_rtc
        post_code 0x05
        call    init_ivt
        post_code 0x06
        call    init_bda
        call    lpt_setup
        post_code 0x07
        call    init_keyboard
        post_code 0x08
        call    pci_setup
        call    ide_setup
        call    ata_detect
        call    tables_setup
        post_code 0x09
        call    e820_setup
        post_code 0x0A
        call    print_banner
        sti
        call    floppy_setup
        call    rom_scan
        call    genroms_setup
        post_code 0x0B
        cli
        call    lock_bios
        post_code 0x0C
        sti
        call    boot_menu
        post_code 0x0D
        int     0x19
        jmp     int18_handler

cpu_failed:
        post_code 0xEE
        mov     si, msg_cpu_failed
        call    print
.halt:  hlt
        jmp     .halt

msg_cpu_failed: db      "emu BIOS: CPU self-check failed", 13, 10, 0

; shadow_bios: copies C0000-FFFFF onto itself with the PAM registers set to read from the
; PCI side (ROM, or the ISA option ROMs) and write to DRAM, then reads from DRAM too
; (i440FX datasheet 3.2.17, PAM0-PAM6). C0000-EFFFF stay writable for option ROMs; the BIOS
; segment F0000-FFFFF is made read-only by lock_bios at the end of POST.
shadow_bios:
        push    ds
        push    es
        xor     bx, bx                  ; 00:00.0, the i440FX
        mov     di, 0x59
        mov     cl, 0x20                ; F0000: write DRAM, read PCI
        call    pci_write8
        mov     cl, 0x22
.wo:    inc     di
        call    pci_write8
        cmp     di, 0x5F
        jb      .wo
        mov     ax, 0xC000
.seg:   mov     ds, ax
        mov     es, ax
        xor     si, si
        xor     di, di
        mov     cx, 0x4000
        rep     movsd
        add     ax, 0x1000
        jnc     .seg
        mov     di, 0x59
        mov     cl, 0x30                ; F0000: read and write DRAM
        call    pci_write8
        mov     cl, 0x33
.rw:    inc     di
        call    pci_write8
        cmp     di, 0x5F
        jb      .rw
        pop     es
        pop     ds
        ret

; lock_bios: F0000-FFFFF read from DRAM, writes go to the PCI side (dropped).
lock_bios:
        xor     bx, bx
        mov     di, 0x59
        mov     cl, 0x10
        jmp     pci_write8

; size_ram: RAM below 4 GiB from CMOS 34h-35h (64 KiB units above 16 MiB) or, below 16 MiB,
; 30h-31h (KiB above 1 MiB); above 4 GiB from 5Bh-5Dh (64 KiB units), as QEMU fills them.
size_ram:
        mov     al, 0x35
        call    cmos_read
        mov     ah, al
        mov     al, 0x34
        call    cmos_read
        movzx   eax, ax
        test    eax, eax
        jz      .small
        shl     eax, 16
        add     eax, 0x1000000
        jmp     .have
.small: mov     al, 0x31
        call    cmos_read
        mov     ah, al
        mov     al, 0x30
        call    cmos_read
        movzx   eax, ax
        shl     eax, 10
        add     eax, 0x100000
.have:  mov     [cs:ram_top], eax
        mov     al, 0x5D
        call    cmos_read
        movzx   ebx, al
        shl     ebx, 16
        mov     al, 0x5C
        call    cmos_read
        mov     bh, al
        mov     al, 0x5B
        call    cmos_read
        mov     bl, al
        mov     [cs:ram_high], ebx
        ret

; init_pic: both 8259As edge-triggered, cascaded on IRQ 2, master vectors 08h-0Fh, slave
; 70h-77h (the PC/AT assignment), 8086 mode; only IRQ 0, 1 and 2 unmasked. The ELCR marks
; IRQ 9 (the ACPI SCI) level-triggered (PIIX3 datasheet 2.4.4); pci_setup adds the IRQs it
; routes the PCI PIRQs to (pirq.asm).
init_pic:
        mov     al, 0x11
        out     0x20, al
        out     0xA0, al
        mov     al, 0x08
        out     0x21, al
        mov     al, 0x70
        out     0xA1, al
        mov     al, 0x04
        out     0x21, al
        mov     al, 0x02
        out     0xA1, al
        mov     al, 0x01
        out     0x21, al
        out     0xA1, al
        mov     al, 0xF8
        out     0x21, al
        mov     al, 0xFF
        out     0xA1, al
        mov     dx, 0x4D0
        mov     al, 0x00
        out     dx, al
        inc     dx
        mov     al, 0x02
        out     dx, al
        ret

; init_pit: channel 0 in mode 2 with count 65536, 18.2 Hz for IRQ 0 (8254 datasheet).
init_pit:
        mov     al, 0x34
        out     0x43, al
        xor     al, al
        out     0x40, al
        out     0x40, al
        ret

; init_dma: master clear of both 8237s, channel 4 cascades the first controller.
init_dma:
        xor     al, al
        out     0x0D, al
        out     0xDA, al
        mov     al, 0xC0                ; channel 4: cascade mode
        out     0xD6, al
        xor     al, al
        out     0xD4, al                ; unmask channel 4
        ret

; init_rtc: register A = 26h (32.768 kHz divider, 1024 Hz periodic rate), B = 02h (24-hour,
; BCD, no interrupts), read C to clear pending flags, clear the shutdown status byte 0Fh.
init_rtc:
        mov     ax, 0x260A
        call    cmos_write
        mov     ax, 0x020B
        call    cmos_write
        mov     al, 0x0C
        call    cmos_read
        mov     ax, 0x000F
        call    cmos_write
        ret

; init_ivt: every vector to an IRET, the hardware IRQs to handlers that send the EOI, and
; the BIOS services to theirs; 1Dh-1Fh and 41h/46h hold table pointers (or 0).
init_ivt:
        push    es
        xor     ax, ax
        mov     es, ax
        xor     di, di
        mov     cx, 256
.all:   mov     ax, dummy_iret
        stosw
        mov     ax, cs
        stosw
        loop    .all
        mov     si, vector_table
.vec:   cs lodsb
        cmp     al, 0xFF
        je      .ptrs
        movzx   di, al
        shl     di, 2
        cs lodsw
        mov     [es:di], ax
        mov     [es:di + 2], cs
        jmp     .vec
.ptrs:  mov     word [es:0x1E * 4], diskette_params
        xor     ax, ax
        mov     [es:0x1D * 4], ax       ; no video parameter table until a VGA BIOS
        mov     [es:0x1D * 4 + 2], ax
        mov     [es:0x1F * 4], ax       ; no graphics font
        mov     [es:0x1F * 4 + 2], ax
        mov     [es:0x41 * 4], ax       ; no fixed-disk parameter tables
        mov     [es:0x41 * 4 + 2], ax
        mov     [es:0x46 * 4], ax
        mov     [es:0x46 * 4 + 2], ax
        pop     es
        ret

vector_table:
        db 0x02
        dw nmi_handler
        db 0x08
        dw int08_handler
        db 0x09
        dw int09_handler
        db 0x0A
        dw irq_master_eoi
        db 0x0B
        dw irq_master_eoi
        db 0x0C
        dw irq_master_eoi
        db 0x0D
        dw irq_master_eoi
        db 0x0E
        dw int0e_handler
        db 0x0F
        dw irq_master_eoi
        db 0x10
        dw int10_handler
        db 0x11
        dw int11_handler
        db 0x12
        dw int12_handler
        db 0x13
        dw int13_handler
        db 0x14
        dw int14_handler
        db 0x15
        dw int15_handler
        db 0x16
        dw int16_handler
        db 0x17
        dw int17_handler
        db 0x18
        dw int18_handler
        db 0x19
        dw int19_handler
        db 0x1A
        dw int1a_handler
        db 0x70
        dw int70_handler
        db 0x71
        dw irq_slave_eoi
        db 0x72
        dw irq_slave_eoi
        db 0x73
        dw irq_slave_eoi
        db 0x74
        dw int74_handler
        db 0x75
        dw int75_handler
        db 0x76
        dw irq_slave_eoi
        db 0x77
        dw irq_slave_eoi
        db 0xFF

; init_bda: the BIOS data area at 40:00 (IBM PC/AT Technical Reference; Ralf Brown's
; MEMORY.LST) and a 1 KiB EBDA at the top of base memory.
init_bda:
        push    es
        mov     ax, BDA_SEG
        mov     es, ax
        mov     dx, [es:0x72]           ; keep the warm-boot flag across the clear
        xor     di, di
        xor     ax, ax
        mov     cx, 0x80
        rep     stosw
        mov     [es:0x72], dx

        ; Base memory from CMOS 15h-16h, less the EBDA.
        mov     al, 0x16
        call    cmos_read
        mov     ah, al
        mov     al, 0x15
        call    cmos_read
        cmp     ax, 640
        jbe     .base
        mov     ax, 640
.base:  sub     ax, EBDA_KIB
        mov     [es:0x13], ax
        mov     [cs:base_kib], ax
        shl     ax, 6
        mov     [es:0x0E], ax
        mov     [cs:ebda_seg], ax
        push    es
        mov     es, ax
        xor     di, di
        xor     ax, ax
        mov     cx, EBDA_KIB * 512
        rep     stosw
        mov     byte [es:0], EBDA_KIB
        pop     es

        ; Serial ports: a 16550 answers in its scratch register (base + 7).
        mov     si, com_bases
        xor     di, di
.com:   cs lodsw
        test    ax, ax
        jz      .com_done
        mov     dx, ax
        add     dx, 7
        mov     al, 0x5A
        out     dx, al
        in      al, dx
        cmp     al, 0x5A
        jne     .com
        sub     dx, 7
        mov     [es:di], dx
        add     di, 2
        jmp     .com
.com_done:
        ; Serial time-outs (40:7C-7F), one byte per port found.
        mov     cx, di
        shr     cx, 1
        xor     bx, bx
.tmo:   jcxz    .equip
        mov     byte [es:0x7C + bx], 10
        inc     bx
        dec     cx
        jmp     .tmo

.equip: ; Equipment word: CMOS 14h (floppies, FPU, PS/2 mouse), 80x25 colour (bits 5-4 = 10),
        ; serial port count in bits 11-9.
        mov     al, 0x14
        call    cmos_read
        and     al, 0xC7
        or      al, 0x20
        mov     ah, bl
        shl     ah, 1
        mov     [es:0x10], ax

        ; Keyboard buffer 40:1E-40:3D, empty; 101/102-key keyboard present (40:96 bit 4).
        mov     word [es:0x1A], 0x1E
        mov     word [es:0x1C], 0x1E
        mov     word [es:0x80], 0x1E
        mov     word [es:0x82], 0x3E
        mov     byte [es:0x96], 0x10

        ; Video: mode 3, 80 columns, 25 rows, colour CRTC (for the debug-console teletype).
        mov     byte [es:0x49], 3
        mov     word [es:0x4A], 80
        mov     byte [es:0x84], 24
        mov     word [es:0x63], 0x3D4

        ; Timer ticks since midnight from the RTC: seconds * 1193182 / 65536.
        call    rtc_seconds
        mov     edx, 1193182
        mul     edx
        shrd    eax, edx, 16
        mov     [es:0x6C], eax
        pop     es
        ret

com_bases:      dw      0x3F8, 0x2F8, 0x3E8, 0x2E8, 0

; rtc_seconds: EAX = seconds since midnight from the RTC (BCD, 24-hour).
rtc_seconds:
        push    ebx
        push    ecx
        call    rtc_wait_update
        mov     al, 0x04
        call    cmos_read
        call    bcd_to_bin
        movzx   eax, al
        imul    eax, eax, 3600
        mov     ebx, eax
        mov     al, 0x02
        call    cmos_read
        call    bcd_to_bin
        movzx   eax, al
        imul    eax, eax, 60
        add     ebx, eax
        mov     al, 0x00
        call    cmos_read
        call    bcd_to_bin
        movzx   eax, al
        add     eax, ebx
        pop     ecx
        pop     ebx
        ret

; init_keyboard: 8042 self-test, command byte 65h (keyboard IRQ, system flag, mouse port
; disabled, scan-code translation to set 1), keyboard reset and enable (IBM PS/2 Technical
; Reference, "Keyboard/Auxiliary Device Controller").
init_keyboard:
        call    kbc_flush
        mov     al, 0xAA
        call    kbc_command
        call    kbc_read
        mov     al, 0x60
        call    kbc_command
        mov     al, 0x65
        call    kbc_data
        mov     al, 0xAE                ; enable the keyboard interface
        call    kbc_command
        mov     al, 0xFF                ; keyboard reset: FA, AA
        call    kbc_data
        call    kbc_read
        call    kbc_read
        mov     al, 0xF4                ; enable scanning: FA
        call    kbc_data
        call    kbc_read
        ret

; kbc_wait_in: waits until the 8042's input buffer is empty (status bit 1).
kbc_wait_in:
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 0x02
        jz      .ok
        loop    .w
.ok:    pop     cx
        ret

kbc_command:
        push    ax
        call    kbc_wait_in
        pop     ax
        out     0x64, al
        ret

kbc_data:
        push    ax
        call    kbc_wait_in
        pop     ax
        out     0x60, al
        ret

; kbc_read: AL = the next output byte, or CF set after a time-out.
kbc_read:
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        test    al, 0x01
        jnz     .ok
        loop    .w
        pop     cx
        stc
        ret
.ok:    in      al, 0x60
        pop     cx
        clc
        ret

kbc_flush:
        push    cx
        mov     cx, 16
.f:     in      al, 0x64
        test    al, 0x01
        jz      .done
        in      al, 0x60
        loop    .f
.done:  pop     cx
        ret

print_banner:
        mov     si, msg_banner
        call    print
        mov     eax, [cs:ram_top]
        shr     eax, 10
        call    print_dec
        mov     si, msg_kib
        call    print
        ret

msg_banner:     db      "emu BIOS 0.2", 13, 10, "Memory: ", 0
msg_kib:        db      " KiB below 4 GiB", 13, 10, 0

; rom_scan: option ROMs in C0000-DFFFF at 2 KiB steps: signature 55AAh, size in 512-byte
; blocks at offset 2, bytes summing to 0; each is initialised by a far call to offset 3
; (IBM PC/AT Technical Reference, "Adapter ROM"), then the scan continues after it.
rom_scan:
        push    ds
        mov     ax, 0xC000
.next:  cmp     ax, 0xE000
        jae     .done
        mov     ds, ax
        cmp     word [0], 0xAA55
        jne     .skip
        movzx   cx, byte [2]
        test    cx, cx
        jz      .skip
        shl     cx, 9
        xor     si, si
        xor     bl, bl
.sum:   add     bl, [si]
        inc     si
        loop    .sum
        test    bl, bl
        jnz     .skip
        pushad
        push    ds
        push    es
        push    cs
        push    word .back
        push    ax
        push    word 3
        retf
.back:  pop     es
        pop     ds
        popad
        cli
        ; continue after the ROM, at its (possibly changed) size rounded up to 2 KiB
        movzx   cx, byte [2]
        add     cx, 3
        shr     cx, 2
        jnz     .adv
        inc     cx
.adv:   shl     cx, 7
        add     ax, cx
        jmp     .next
.skip:  add     ax, 0x80
        jmp     .next
.done:  pop     ds
        sti
        ret
