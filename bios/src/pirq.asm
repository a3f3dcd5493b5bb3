; PCI interrupt routing from the board's $PIR table (Microsoft's PCI IRQ Routing Table
; Specification 1.0), fw_cfg file etc/emu/pir, which tables.asm also installs in the F segment
; for the OS. The table is the one description of the wiring: for each slot's INTA#-INTD# the
; link (the PIIX3 route register 60h-63h, PIRQRC[A:D], PIIX3 datasheet 2.2.10) and the bitmap of
; ISA IRQs the link may take; the board allows each link one IRQ, so the routing POST programs
; into the PIIX3 is exactly the one the $PIR, the MP table and the interrupt lines describe (as
; a real BIOS programs PIRQRC and builds its tables to match). A link no entry names stays
; disabled (route register bit 7), and a function on it gets interrupt line FFh ("unknown or no
; connection", PCI 2.1, 6.2.4).

; pirq_load: reads the $PIR into pir_links and pirq_routes. Called by pci_setup before the
; functions are set up; without the file nothing is routed.
pirq_load:
        pushad
        push    es
        push    cs
        pop     es
        cld
        mov     di, pir_links
        mov     cx, 32 * 4 / 2
        xor     ax, ax
        rep     stosw
        mov     dword [cs:pirq_routes], 0x80808080
        mov     si, pirq_file_name
        call    fwcfg_lookup
        jc      .done
        cmp     ecx, 32
        jb      .done
        sub     ecx, 32
        shr     ecx, 4                  ; 16-byte slot entries after the 32-byte header
        call    fwcfg_select
        push    cx
        mov     cx, 32
.hdr:   in      al, dx
        loop    .hdr
        pop     cx
.entry: jecxz   .done
        dec     ecx
        in      al, dx                  ; bus
        mov     bl, al
        in      al, dx                  ; device and function
        movzx   di, al
        shr     di, 3
        shl     di, 2
        add     di, pir_links
        test    bl, bl
        jz      .bus0
        mov     di, pir_other_bus       ; only bus 0 exists: read past the entry
.bus0:  mov     bp, 4
.pin:   in      al, dx                  ; link
        mov     [cs:di], al
        movzx   si, al
        in      al, dx
        mov     ah, al
        in      al, dx
        xchg    al, ah                  ; AX = the IRQ bitmap
        sub     si, 0x60
        cmp     si, 3
        ja      .next_pin
        bsf     ax, ax
        jz      .next_pin
        mov     [cs:pirq_routes + si], al
.next_pin:
        inc     di
        dec     bp
        jnz     .pin
        in      al, dx                  ; slot number
        in      al, dx                  ; reserved
        jmp     .entry
.done:  pop     es
        popad
        ret

; pirq_line: BX = a bus 0 function, CL = its interrupt pin -> CF clear, CL = its IRQ (FFh: none);
; CF set when the function uses no pin (0, or not 1-4).
pirq_line:
        dec     cl
        cmp     cl, 3
        ja      .no_pin
        push    si
        movzx   si, bl
        shr     si, 3
        shl     si, 2
        add     si, pir_links
        movzx   cx, cl
        add     si, cx
        movzx   si, byte [cs:si]
        sub     si, 0x60
        mov     cl, 0xFF
        cmp     si, 3
        ja      .ret
        mov     cl, [cs:pirq_routes + si]
        test    cl, 0x80
        jz      .ret
        mov     cl, 0xFF
.ret:   pop     si
        clc
        ret
.no_pin:
        stc
        ret

; pirq_program: PIIX3 (BX) route registers 60h-63h from pirq_routes, and the routed IRQs
; level-triggered in the ELCR (4D0h/4D1h): PCI INTx# is level-sensitive, shareable (PCI 2.1,
; 2.2.6; PIIX3 datasheet 2.4.4 ELCR1/ELCR2).
pirq_program:
        mov     di, 0x60
        mov     ecx, [cs:pirq_routes]
        call    pci_write32
        push    bx
        xor     bx, bx
        mov     si, 4
.irq:   dec     si
        movzx   ax, byte [cs:pirq_routes + si]
        test    al, 0x80
        jnz     .skip
        bts     bx, ax
.skip:  test    si, si
        jnz     .irq
        mov     dx, 0x4D0
        in      al, dx
        or      al, bl
        out     dx, al
        inc     dx
        in      al, dx
        or      al, bh
        out     dx, al
        pop     bx
        ret

pirq_file_name: db      "etc/emu/pir", 0
pirq_routes:    db      0x80, 0x80, 0x80, 0x80  ; PIRQA-D: the IRQ, or 80h (not routed)
pir_links:      times   32 * 4 db 0             ; each bus 0 device's link for INTA#-INTD#
pir_other_bus:  times   4 db 0
