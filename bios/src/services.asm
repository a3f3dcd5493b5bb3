; BIOS services: INT 08h, 10h (debug-console teletype), 11h, 12h, 13h, 18h, 19h, 1Ah, and the
; default hardware interrupt handlers (IBM PC/AT Technical Reference; Ralf Brown's list).

nmi_handler:
        iret

; Unclaimed IRQs 2-7 and 9-15: end the interrupt at the 8259A(s).
irq_master_eoi:
        push    ax
        mov     al, 0x20
        out     0x20, al
        pop     ax
        iret

irq_slave_eoi:
        push    ax
        mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     ax
        iret

; INT 70h (IRQ 8): read register C so the RTC drops its interrupt request.
int70_handler:
        push    ax
        mov     al, 0x0C
        call    cmos_read
        pop     ax
        jmp     irq_slave_eoi

; INT 75h (IRQ 13, x87 error): clear the FERR# latch (port F0h), end the interrupt, and
; report it as an NMI, as the PC/AT does.
int75_handler:
        push    ax
        xor     al, al
        out     0xF0, al
        mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     ax
        int     0x02
        iret

; INT 08h (IRQ 0, 18.2 Hz): count ticks at 40:6C, wrap at 24 hours (1800B0h ticks) setting
; the midnight flag at 40:70, run the floppy motor time-out (40:40) and call INT 1Ch.
int08_handler:
        push    ds
        push    eax
        push    dx
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     eax, [0x6C]
        inc     eax
        cmp     eax, 0x1800B0
        jb      .store
        xor     eax, eax
        mov     byte [0x70], 1
.store: mov     [0x6C], eax
        cmp     byte [0x40], 0
        je      .user
        dec     byte [0x40]
        jnz     .user
        and     byte [0x3F], 0xF0       ; motors off
        mov     al, 0x0C
        mov     dx, 0x3F2
        out     dx, al
.user:  int     0x1C
        mov     al, 0x20
        out     0x20, al
        pop     dx
        pop     eax
        pop     ds
        iret

; INT 10h until a VGA BIOS exists: teletype (0Eh), write string (13h) and get mode (0Fh),
; all to the debug console at port E9h.
int10_handler:
        cmp     ah, 0x0E
        je      .tty
        cmp     ah, 0x0F
        je      .mode
        cmp     ah, 0x13
        je      .string
        iret
.tty:   out     DEBUGCON_PORT, al
        iret
.mode:  push    ds
        push    bx
        mov     bx, BDA_SEG
        mov     ds, bx
        mov     al, [0x49]
        mov     ah, [0x4A]
        pop     bx
        mov     bh, [0x62]
        pop     ds
        iret
.string:
        ; ES:BP string, CX characters; AL bit 1: characters and attributes alternate.
        push    ax
        push    cx
        push    si
        mov     si, bp
        jcxz    .sdone
.s:     mov     ah, al
        mov     al, [es:si]
        out     DEBUGCON_PORT, al
        mov     al, ah
        inc     si
        test    al, 2
        jz      .s1
        inc     si
.s1:    loop    .s
.sdone: pop     si
        pop     cx
        pop     ax
        iret

; INT 11h: the equipment word.
int11_handler:
        push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     ax, [0x10]
        pop     ds
        iret

; INT 12h: KiB of base memory below the EBDA.
int12_handler:
        push    ds
        mov     ax, BDA_SEG
        mov     ds, ax
        mov     ax, [0x13]
        pop     ds
        iret

; INT 18h: no bootable device.
int18_handler:
        mov     si, msg_no_boot
        call    print
        cli
.halt:  hlt
        jmp     .halt

msg_no_boot:    db      "No bootable device.", 13, 10, 0

; INT 19h: boot from the devices CMOS 3Dh/38h list (low nibble of 3Dh first, then its high
; nibble, then the high nibble of 38h; 1 floppy, 2 hard disk, 3 CD-ROM, 4 network). A boot
; sector is loaded to 0:7C00 and entered with DL = the drive; a hard disk's, and a floppy's
; unless 38h bit 0 is set, must end in 55AAh.
int19_handler:
        sti
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, POST_STACK
        mov     al, 0x3D
        call    cmos_read
        mov     bl, al
        mov     al, 0x38
        call    cmos_read
        mov     bh, al
        mov     cl, bl
        call    boot_device
        mov     cl, bl
        shr     cl, 4
        call    boot_device
        mov     cl, bh
        shr     cl, 4
        call    boot_device
        int     0x18

; boot_device: CL (low nibble) = the device kind; returns only if it did not boot.
boot_device:
        and     cl, 0x0F
        cmp     cl, 1
        je      .floppy
        cmp     cl, 2
        je      .disk
        cmp     cl, 3
        je      .cd
        cmp     cl, 4
        je      .net
        ret
.floppy:
        mov     si, msg_boot_floppy
        call    print
        mov     dl, 0x00
        call    read_boot_sector
        jc      .failed
        test    bh, 1
        jnz     .go
        jmp     .sig
.disk:  mov     si, msg_boot_disk
        call    print
        mov     dl, 0x80
        call    read_boot_sector
        jc      .failed
.sig:   cmp     word [es:0x7DFE], 0xAA55
        je      .go
        mov     si, msg_not_bootable
        call    print
        ret
.go:    xor     ax, ax
        mov     ds, ax
        mov     es, ax
        jmp     0x0000:0x7C00
.cd:    mov     si, msg_boot_cd
        call    print
        push    bx
        call    cd_boot
        pop     bx
        ret
.net:   mov     si, msg_boot_net
        call    print
.failed:
        mov     si, msg_boot_failed
        call    print
        ret

; read_boot_sector: sector 1 of drive DL (cylinder 0, head 0) to 0:7C00 through INT 13h,
; three tries with a reset between; CF set on failure.
read_boot_sector:
        push    bx
        push    cx
        mov     si, 3
.try:   xor     ax, ax
        mov     es, ax
        mov     bx, 0x7C00
        mov     ax, 0x0201
        mov     cx, 0x0001
        mov     dh, 0
        push    dx
        int     0x13
        pop     dx
        jnc     .ok
        xor     ax, ax
        int     0x13
        dec     si
        jnz     .try
        stc
.ok:    pop     cx
        pop     bx
        ret

msg_boot_floppy:        db      "Booting from floppy...", 13, 10, 0
msg_boot_disk:          db      "Booting from hard disk...", 13, 10, 0
msg_boot_cd:            db      "Booting from CD-ROM...", 13, 10, 0
msg_boot_net:           db      "Booting from the network...", 13, 10, 0
msg_boot_failed:        db      "Boot failed: could not read the boot sector", 13, 10, 0
msg_not_bootable:       db      "Boot failed: not a bootable disk", 13, 10, 0

; INT 1Ah: the tick count (00h, 01h), the RTC's time and date (02h-05h), the PCI BIOS (B1h).
int1a_handler:
        sti
        cmp     ah, 0xB1
        je      pcibios
        push    ds
        push    bx
        mov     bx, BDA_SEG
        mov     ds, bx
        cmp     ah, 0x00
        je      .get_ticks
        cmp     ah, 0x01
        je      .set_ticks
        cmp     ah, 0x02
        je      .get_time
        cmp     ah, 0x03
        je      .set_time
        cmp     ah, 0x04
        je      .get_date
        cmp     ah, 0x05
        je      .set_date
        pop     bx
        pop     ds
        mov     ah, 0x86
        stc
        jmp     svc_return
.get_ticks:
        cli
        mov     dx, [0x6C]
        mov     cx, [0x6E]
        mov     al, [0x70]
        mov     byte [0x70], 0
        sti
        jmp     .ok
.set_ticks:
        cli
        mov     [0x6C], dx
        mov     [0x6E], cx
        mov     byte [0x70], 0
        sti
        jmp     .ok
.get_time:
        call    rtc_wait_update
        mov     al, 0x04
        call    cmos_read
        mov     ch, al
        mov     al, 0x02
        call    cmos_read
        mov     cl, al
        mov     al, 0x00
        call    cmos_read
        mov     dh, al
        mov     al, 0x0B
        call    cmos_read
        and     al, 0x01
        mov     dl, al
        jmp     .ok
.set_time:
        call    rtc_set_begin
        mov     al, 0x00
        mov     ah, dh
        call    cmos_write
        mov     al, 0x02
        mov     ah, cl
        call    cmos_write
        mov     al, 0x04
        mov     ah, ch
        call    cmos_write
        ; register B: 24-hour BCD, daylight saving from DL bit 0, PIE/AIE kept, SET cleared
        mov     al, 0x0B
        call    cmos_read
        and     al, 0x60
        or      al, 0x02
        mov     ah, dl
        and     ah, 0x01
        or      ah, al
        mov     al, 0x0B
        call    cmos_write
        jmp     .ok
.get_date:
        call    rtc_wait_update
        mov     al, 0x32
        call    cmos_read
        mov     ch, al
        mov     al, 0x09
        call    cmos_read
        mov     cl, al
        mov     al, 0x08
        call    cmos_read
        mov     dh, al
        mov     al, 0x07
        call    cmos_read
        mov     dl, al
        jmp     .ok
.set_date:
        call    rtc_set_begin
        mov     al, 0x07
        mov     ah, dl
        call    cmos_write
        mov     al, 0x08
        mov     ah, dh
        call    cmos_write
        mov     al, 0x09
        mov     ah, cl
        call    cmos_write
        mov     al, 0x32
        mov     ah, ch
        call    cmos_write
        mov     al, 0x0B
        call    cmos_read
        and     al, 0x7F
        mov     ah, al
        mov     al, 0x0B
        call    cmos_write
        jmp     .ok
.ok:    pop     bx
        pop     ds
        xor     ah, ah
        clc
        jmp     svc_return

; rtc_set_begin: sets register B's SET bit (updates stop while the time is written) and
; 24-hour mode.
rtc_set_begin:
        push    ax
        mov     al, 0x0B
        call    cmos_read
        or      al, 0x82
        mov     ah, al
        mov     al, 0x0B
        call    cmos_write
        pop     ax
        ret
