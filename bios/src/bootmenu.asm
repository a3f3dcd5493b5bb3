; The boot menu, as QEMU offers it with SeaBIOS: with -boot menu=on (fw_cfg item 0Eh = 1) POST
; shows "Press ESC for boot menu." and waits etc/boot-menu-wait milliseconds (fw_cfg file, from
; -boot splash-time=; 2500 ms, SeaBIOS's default, without it) in timer ticks, so the wait is
; virtual time. ESC lists the floppy drives (CMOS 10h), the hard disks (40:75) and the CD-ROM
; (found by the ATAPI probe), numbered from 1; a digit boots that device, ESC boots in the CMOS
; order. Text goes to the debug console and, once a VGA BIOS has hooked INT 10h, the screen.
; fw_cfg is read through fwcfg.asm.

MENU_DEFAULT_MS equ     2500
MENU_MAX        equ     8

; boot_menu: returns unless a device chosen in the menu booted.
boot_menu:
        push    es
        mov     ax, FWCFG_BOOT_MENU
        call    fwcfg_select
        call    fwcfg_read16
        test    ax, ax
        jz      .ret
        mov     si, fwcfg_menu_wait
        call    fwcfg_lookup
        mov     cx, MENU_DEFAULT_MS
        jc      .have_ms
        call    fwcfg_select
        call    fwcfg_read16
        mov     cx, ax
.have_ms:
        ; ticks = ms * 182 / 10000 (18.2 Hz), at least one
        mov     ax, cx
        mov     cx, 182
        mul     cx
        mov     cx, 10000
        div     cx
        inc     ax
        movzx   ebx, ax
        mov     si, msg_menu_press
        call    menu_print
        push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        add     ebx, [0x6C]             ; the deadline (a midnight wrap just ends the wait early)
        pop     ds
        sti
.wait:  mov     ah, 0x01
        int     0x16
        jz      .no_key
        xor     ah, ah
        int     0x16
        cmp     al, 0x1B
        je      .menu
.no_key:
        push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        cmp     [0x6C], ebx
        pop     ds
        jae     .ret
        hlt
        jmp     .wait

.menu:  ; the device list, on the stack: one byte per entry, the INT 13h drive number
        sub     sp, MENU_MAX
        mov     bp, sp
        xor     di, di                  ; entries so far
        mov     si, msg_menu_select
        call    menu_print
        mov     al, 0x10                ; floppy types: A in bits 7-4, B in bits 3-0
        call    cmos_read
        mov     cl, al
        test    cl, 0xF0
        jz      .no_a
        mov     dl, 0x00
        mov     si, msg_menu_floppy
        call    .entry
.no_a:  test    cl, 0x0F
        jz      .disks
        mov     dl, 0x01
        mov     si, msg_menu_floppy
        call    .entry
.disks: push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     ch, [0x75]
        pop     ds
        mov     dl, 0x80
.disk:  test    ch, ch
        jz      .cd
        mov     si, msg_menu_disk
        call    .entry
        inc     dl
        dec     ch
        jmp     .disk
.cd:    mov     es, [cs:ebda_seg]
        cmp     byte [es:CD_PRESENT], 0
        je      .choose
        mov     dl, CD_DRIVE
        mov     si, msg_menu_cd
        call    .entry
.choose:
        mov     si, msg_menu_prompt
        call    menu_print
.key:   xor     ah, ah
        int     0x16
        cmp     al, 0x1B
        je      .cancel
        sub     al, '1'
        jb      .key
        movzx   si, al
        cmp     si, di
        jae     .key
        mov     dl, [ss:bp + si]
        add     sp, MENU_MAX
        pop     es
        jmp     menu_boot
.cancel:
        add     sp, MENU_MAX
.ret:   pop     es
        ret

; .entry: prints "N. " and the text at CS:SI with the drive in DL, and records DL.
.entry: cmp     di, MENU_MAX
        jae     .full
        mov     [ss:bp + di], dl
        inc     di
        mov     ax, di
        add     al, '0'
        call    menu_putc
        mov     al, '.'
        call    menu_putc
        mov     al, ' '
        call    menu_putc
        call    menu_print
        cmp     dl, CD_DRIVE
        je      .nl
        mov     al, dl
        and     al, 0x7F
        add     al, '1'                 ; "floppy 1", "hard disk 2", ...
        call    menu_putc
.nl:    mov     al, 13
        call    menu_putc
        mov     al, 10
        call    menu_putc
.full:  ret

; menu_boot: boots drive DL (00h/01h floppy, 8xh hard disk, E0h the CD) as INT 19h would;
; returns only if it could not. The signature 55AAh is required of a hard disk, and of a
; floppy unless CMOS 38h bit 0 says not to check it.
menu_boot:
        cmp     dl, CD_DRIVE
        jne     .sector
        jmp     cd_boot
.sector:
        push    dx
        call    read_boot_sector
        pop     dx
        jc      .failed
        test    dl, 0x80
        jnz     .sig
        mov     al, 0x38
        call    cmos_read
        test    al, 1
        jnz     .go
.sig:   cmp     word [es:0x7DFE], 0xAA55
        jne     .not_bootable
.go:    xor     ax, ax
        mov     ds, ax
        mov     es, ax
        jmp     0x0000:0x7C00
.failed:
        mov     si, msg_boot_failed
        jmp     print
.not_bootable:
        mov     si, msg_not_bootable
        jmp     print

; menu_print: the zero-terminated string at CS:SI to the debug console and the screen.
menu_print:
        push    ax
        push    si
.next:  cs lodsb
        test    al, al
        jz      .done
        call    menu_putc
        jmp     .next
.done:  pop     si
        pop     ax
        ret

; menu_putc: AL to the debug console and, when a VGA BIOS owns INT 10h (its vector is no
; longer this BIOS's own handler), through INT 10h teletype to the screen.
menu_putc:
        push    ax
        push    bx
        push    ds
        out     DEBUGCON_PORT, al
        xor     bx, bx
        mov     ds, bx
        cmp     word [0x10 * 4], int10_handler
        jne     .vga
        cmp     word [0x10 * 4 + 2], 0xF000
        je      .out
.vga:   mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
.out:   pop     ds
        pop     bx
        pop     ax
        ret

fwcfg_menu_wait:        db      "etc/boot-menu-wait", 0
msg_menu_press:         db      "Press ESC for boot menu.", 13, 10, 0
msg_menu_select:        db      13, 10, "Select boot device:", 13, 10, 13, 10, 0
msg_menu_prompt:        db      13, 10, "Press 1-9 to boot, ESC for the boot order.", 13, 10, 0
msg_menu_floppy:        db      "Floppy ", 0
msg_menu_disk:          db      "Hard disk ", 0
msg_menu_cd:            db      "CD-ROM", 0
