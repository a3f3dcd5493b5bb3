; VGA BIOS: INT 10h 12h (alternate select), 1Ah (display combination), 1Bh (functionality and
; state information), 1Ch (save/restore video state), IBM VGA BIOS interface. Included by
; vgabios.asm (frame at BP, DS = BDA).

; ---------------------------------------------------------------- 12h
alt_select:
        cmp     bl, 0x10
        je      .info
        cmp     bl, 0x20
        je      alt_prtsc_select
        cmp     bl, 0x30
        jb      .ret
        cmp     bl, 0x36
        ja      .ret
        movzx   si, bl
        sub     si, 0x30
        add     si, si
        jmp     [cs:.table + si]
.table: dw      .lines, .palload, .video, .grey, .cursor, .switch, .refresh
; BL=35h: display switching between the system board's video and an adapter (IBM VGA BIOS
; interface) needs a second video subsystem; this machine has one VGA, so the function is
; unsupported, which the interface reports by AL not being 12h: AL is left as the caller's
; subfunction (00h-03h), the 128-byte buffer at ES:DX is untouched, and 40:89 bit 6
; (display switching enabled) stays clear.
.switch:
        ret
; BL=10h: BH 0 colour / 1 monochrome (the CRTC's address), BL 3 (256 KiB), CH feature bits,
; CL switch settings (40:88).
.info:  xor     bh, bh
        cmp     word [0x63], 0x3B4
        jne     .col
        inc     bh
.col:   mov     bl, 3
        mov     [bp + F_BX], bx
        mov     al, [0x88]
        mov     ah, al
        shr     ah, 4
        and     al, 0x0F
        mov     [bp + F_CL], al
        mov     [bp + F_CH], ah
.ret:   ret
; BL=30h: text-mode scan lines at the next mode set: AL 0 200, 1 350, 2 400 (40:89 bits 7, 4).
.lines: cmp     al, 2
        ja      .ret
        and     byte [0x89], 0x6F
        mov     ah, 0x80
        cmp     al, 1
        jb      .l
        mov     ah, 0
        je      .l
        mov     ah, 0x10
.l:     or      [0x89], ah
        jmp     .ok
; BL=31h: AL 0 load the default palette at mode sets, 1 do not (40:89 bit 3).
.palload:
        mov     ah, 0x08
        mov     si, 0x89
        jmp     .flag
; BL=32h: AL 0 enable, 1 disable the video subsystem (port 3C3h bit 0; the PCI standard VGA,
; as QEMU's, decodes its ports and memory regardless).
.video: cmp     al, 1
        ja      .ret
        xor     al, 1
        mov     dx, 0x3C3
        out     dx, al
        jmp     .ok
; BL=33h: AL 0 grey-scale summing on at palette loads, 1 off (40:89 bit 1).
.grey:  mov     ah, 0x02
        mov     si, 0x89
        cmp     al, 1
        ja      .ret
        xor     al, 1                   ; here 0 means "set the bit"
        jmp     .flag
; BL=34h: AL 0 cursor emulation on, 1 off (40:87 bit 0 set = off).
.cursor:
        mov     ah, 0x01
        mov     si, 0x87
; .flag: AL 0 clears, 1 sets bit AH of [SI].
.flag:  cmp     al, 1
        ja      .ret
        not     ah
        and     [si], ah
        not     ah
        test    al, al
        jz      .ok
        or      [si], ah
.ok:    mov     byte [bp + F_AL], 0x12
        ret
; BL=36h: AL 0 screen on, 1 off (sequencer clocking mode bit 5).
.refresh:
        cmp     al, 1
        ja      .ret
        mov     ah, al
        shl     ah, 5
        mov     dx, 0x3C4
        mov     al, 0x01
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 0xDF
        or      al, ah
        out     dx, al
        jmp     .ok

; text_lines: after a text mode's registers: the 200- or 350-line variant 40:89 asks for
; (IBM VGA Technical Reference, modes 0-3 in 200 lines: 8x8 cells double-scanned, 8-dot;
; 0*-3* and 7 in 350 lines: 9x14 cells, EGA vertical timing). CS:SI = the mode entry; out:
; BH = the character height, ES:DI = the font.
text_lines:
        push    cs
        pop     es
        mov     di, font8x16
        mov     bh, 16
        test    byte [0x89], 0x10
        jnz     .ret                    ; 400 lines
        pusha
        test    byte [0x89], 0x80
        jnz     .l200
        mov     bx, lines350
        jmp     .prog
.l200:  cmp     byte [cs:si], 7
        je      .done                   ; the monochrome mode has no 200-line form
        mov     bx, lines200
.prog:  mov     dx, 0x3C4
        mov     ax, 0x0100
        out     dx, ax
        mov     al, [cs:si + M_MISC]
        and     al, 0x01
        or      al, [cs:bx]
        mov     dx, 0x3C2
        out     dx, al
        mov     al, [cs:si + M_SEQ]
        or      al, [cs:bx + 1]
        mov     ah, al
        mov     al, 0x01
        mov     dx, 0x3C4
        out     dx, ax
        mov     ax, 0x0300
        out     dx, ax
        mov     dx, 0x3D4
        test    byte [cs:si + M_MISC], 1
        jnz     .crtc
        mov     dl, 0xB4
.crtc:  lea     di, [bx + 3]
        mov     cl, [cs:bx + 2]
.reg:   mov     ax, [cs:di]
        out     dx, ax
        add     di, 2
        dec     cl
        jnz     .reg
        cmp     byte [cs:bx + 1], 0
        je      .done
        mov     al, 0x10                ; 8-dot cells: no line-graphics ninth column
        call    attr_read
        and     ah, 0xFB
        call    attr_write
.done:  popa
        test    byte [0x89], 0x80
        jnz     .f8
        mov     di, font8x14
        mov     bh, 14
        ret
.f8:    cmp     byte [cs:si], 7
        je      .ret
        mov     di, font8x8
        mov     bh, 8
.ret:   ret

; misc output bits 7-1 (sync polarity, clock), sequencer clocking bits, count, CRTC index/value
lines350:
        db      0xA6, 0x00, 8
        db      0x09, 0x4D, 0x0A, 0x0B, 0x0B, 0x0C, 0x10, 0x83, 0x11, 0x85, 0x12, 0x5D
        db      0x15, 0x63, 0x16, 0xBA
lines200:
        db      0x62, 0x01, 3
        db      0x09, 0xC7, 0x0A, 0x06, 0x0B, 0x07

; ---------------------------------------------------------------- 1Ah
; AL 0: BL = the active display combination code (40:8A; 08h: VGA, colour analogue display),
; BH = the alternate (none); AL 1: the active code = BL.
display_combination:
        cmp     al, 1
        ja      .ret
        mov     byte [bp + F_AL], 0x1A
        je      .set
        movzx   ax, byte [0x8A]
        mov     [bp + F_BX], ax
.ret:   ret
.set:   mov     [0x8A], bl
        ret

; ---------------------------------------------------------------- 1Bh
; static functionality table (IBM VGA BIOS, 1Bh): modes 00h-07h, 0Dh-13h; 200/350/400 text
; lines; 2 of 8 character blocks shown; all of: modes on all displays, grey summing, font
; loading, default palette loading, cursor emulation, EGA palette, DAC, colour paging; save/
; restore, blink/intensity and display combination; no light pen, no save pointer table.
static_functionality:
        db      0xFF, 0xE0, 0x0F, 0, 0, 0, 0, 0x07, 0x02, 0x08, 0xFF, 0x0E, 0, 0, 0, 0

; BX = 0: the state table at ES:DI (64 bytes); AL = 1Bh.
func_state:
        test    bx, bx
        jnz     .ret
        mov     byte [bp + F_AL], 0x1B
        push    di
        xor     ax, ax
        mov     cx, 32
        rep     stosw
        pop     di
        mov     word [es:di], static_functionality
        mov     [es:di + 2], cs
        push    di
        add     di, 4
        mov     si, 0x49
        mov     cx, 0x1E
        rep     movsb                   ; 40:49-40:66
        pop     di
        mov     al, [0x84]
        inc     al
        mov     [es:di + 0x22], al
        mov     ax, [0x85]
        mov     [es:di + 0x23], ax
        mov     al, [0x8A]
        mov     [es:di + 0x25], al
        mov     byte [es:di + 0x31], 3  ; 256 KiB
        call    cur_mode
        jc      .flags
        ; colours and pages by the mode's kind
        mov     al, [cs:si + M_KIND]
        mov     cx, 16
        mov     bl, 8
        cmp     al, K_TEXT
        je      .mono
        cmp     al, K_256
        jne     .n256
        mov     cx, 256
        mov     bl, 1
.n256:  cmp     al, K_CGA4
        jb      .plan
        mov     cx, 4
        mov     bl, 1
        je      .cnt
        mov     cx, 2
        jmp     .cnt
.plan:  cmp     al, K_PLAN
        jne     .cnt
        mov     ax, [cs:si + M_PAGE]    ; pages: 64 KiB / page size
        push    dx
        mov     dx, 1
        push    cx
        xor     cx, cx
        xchg    ax, cx
        div     cx
        pop     cx
        pop     dx
        mov     bl, al
        cmp     byte [cs:si], 0x11
        jne     .mono
        mov     cx, 2
.mono:  test    byte [cs:si + M_MISC], 1
        jnz     .cnt
        xor     cx, cx                  ; monochrome modes: 0 colours
.cnt:   mov     [es:di + 0x27], cx
        mov     [es:di + 0x29], bl
        ; scan lines: 0 200 (double-scanned), 1 350, 2 400, 3 480
        call    crtc_port
        mov     al, 0x09
        out     dx, al
        inc     dx
        in      al, dx
        dec     dx
        xor     bl, bl
        test    al, 0x80                ; double scan: 200 lines shown as 400
        jnz     .sl
        and     al, 0x1F                ; 13h repeats each line by the maximum scan line
        cmp     al, 1
        jne     .vde
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .sl
.vde:   mov     al, 0x12
        out     dx, al
        inc     dx
        in      al, dx
        mov     bl, 1
        cmp     al, 0x5D                ; 350: vertical display end 15Dh
        je      .sl
        inc     bl
        cmp     al, 0x8F                ; 400: 18Fh
        je      .sl
        inc     bl                      ; 480: 1DFh
.sl:    mov     [es:di + 0x2A], bl
        ; character blocks: font A and B of sequencer register 3
        mov     dx, 0x3C4
        mov     al, 0x03
        out     dx, al
        inc     dx
        in      al, dx
        mov     ah, al
        shr     ah, 5
        and     ah, 1
        mov     bl, al
        shr     bl, 1
        and     bl, 6
        or      ah, bl
        mov     [es:di + 0x2B], ah
        mov     ah, al
        shr     ah, 4
        and     ah, 1
        shl     al, 1
        and     al, 6
        or      ah, al
        mov     [es:di + 0x2C], ah
.flags: mov     al, [0x89]              ; bit 0 all modes on all displays, 1 grey summing,
        and     al, 0x0B                ; 3 default palette loading off
        or      al, 0x01
        test    byte [0x87], 0x01
        jnz     .blink
        or      al, 0x10                ; cursor emulation
.blink: push    ax
        mov     al, 0x10
        call    attr_read
        mov     bl, ah
        pop     ax
        test    bl, 0x08
        jz      .f
        or      al, 0x20                ; blinking (not bright backgrounds)
.f:     mov     [es:di + 0x2D], al
.ret:   ret

; ---------------------------------------------------------------- 1Ch
; The buffer: a directory (words: offsets of the hardware, BIOS data and DAC parts, 0 when not
; saved; a fourth for VBE 4F04h's DISPI part), then the parts. Hardware: laid out as a mode
; table entry's registers (misc, sequencer 1-4, CRTC 0-18h, attribute 0-13h, graphics 0-8),
; with the sequencer, CRTC, graphics and attribute indices, colour select and feature control
; in front. BIOS data: 40:49-40:66, 40:84-40:8A, INT 1Fh and 43h. DAC: state, write index,
; pel mask, 256 colours. The latches are not saved.
ST_DIR  equ     0x20
ST_HW   equ     0x50
ST_BDA  equ     0x30
ST_DAC  equ     0x310
ST_DISPI equ    0x20

; 1Ch: AL 0: BX = 64-byte blocks for the parts of CX (bit 0 hardware, 1 BIOS data, 2 DAC);
; 1: save them at ES:BX; 2: restore them from ES:BX. AL = 1Ch.
save_restore:
        and     cx, 7
        cmp     al, 2
        ja      .ret
        mov     byte [bp + F_AL], 0x1C
        call    state_op
.ret:   ret

; state_op: AL 0 size (to the frame's BX), 1 save, 2 restore, parts CX (bit 3: DISPI) at ES:BX.
state_op:
        test    al, al
        jnz     .io
        mov     ax, ST_DIR
        test    cl, 1
        jz      .s1
        add     ax, ST_HW
.s1:    test    cl, 2
        jz      .s2
        add     ax, ST_BDA
.s2:    test    cl, 4
        jz      .s3
        add     ax, ST_DAC
.s3:    test    cl, 8
        jz      .s4
        add     ax, ST_DISPI
.s4:    add     ax, 63
        shr     ax, 6
        mov     [bp + F_BX], ax
        ret
.io:    mov     di, bx
        cmp     al, 2
        je      .restore
        push    cx
        push    di                      ; save: the directory first
        xor     ax, ax
        mov     cx, ST_DIR / 2
        rep     stosw
        pop     di
        pop     cx
        mov     ax, ST_DIR
        mov     si, 0
        call    .part
        mov     si, 2
        call    .part
        mov     si, 4
        call    .part
        mov     si, 6
        call    .part
        ret
; .part: saves part SI/2 when CX has its bit, at offset AX (advanced)
.part:  push    cx
        push    si
        shr     si, 1
        xchg    cx, si
        mov     dx, 1
        shl     dx, cl
        xchg    cx, si
        pop     si
        test    cx, dx
        pop     cx
        jz      .pret
        mov     bx, di
        mov     [es:bx + si], ax
        push    ax
        push    di
        add     di, ax
        call    [cs:save_parts + si]
        pop     di
        pop     ax
        add     ax, [cs:part_sizes + si]
.pret:  ret
.restore:
        xor     si, si
.r:     mov     ax, si
        shr     ax, 1
        bt      cx, ax
        jnc     .rn
        mov     bx, di
        mov     ax, [es:bx + si]
        test    ax, ax
        jz      .rn
        push    si
        push    di
        add     di, ax
        call    [cs:restore_parts + si]
        pop     di
        pop     si
.rn:    add     si, 2
        cmp     si, 8
        jb      .r
        ret

save_parts:     dw      save_hw, save_bda, save_dac, save_dispi
restore_parts:  dw      restore_hw, restore_bda, restore_dac, restore_dispi
part_sizes:     dw      ST_HW, ST_BDA, ST_DAC, ST_DISPI

; save_hw / restore_hw: the register part at ES:DI.
save_hw:
        pusha
        mov     dx, 0x3C4
        in      al, dx
        mov     [es:di], al             ; sequencer index
        mov     dx, 0x3CE
        in      al, dx
        mov     [es:di + 2], al         ; graphics index
        call    crtc_port
        in      al, dx
        mov     [es:di + 1], al         ; CRTC index
        mov     dx, 0x3C0
        in      al, dx
        mov     [es:di + 3], al         ; attribute index (bit 5: video on)
        mov     dx, 0x3CA
        in      al, dx
        mov     [es:di + 4], al         ; feature control
        mov     al, 0x14
        call    attr_read
        mov     [es:di + 5], ah         ; colour select
        mov     dx, 0x3CC
        in      al, dx
        mov     [es:di + M_MISC], al
        mov     dx, 0x3C4
        mov     bx, M_SEQ
        mov     cx, 0x0401
        call    .regs
        call    crtc_port
        mov     bx, M_CRTC
        mov     cx, 0x1900
        call    .regs
        mov     dx, 0x3CE
        mov     bx, M_GC
        mov     cx, 0x0900
        call    .regs
        xor     al, al
.attr:  push    ax
        call    attr_read
        movzx   bx, al
        mov     [es:di + M_ATTR + bx], ah
        pop     ax
        inc     al
        cmp     al, 0x14
        jb      .attr
        mov     al, [es:di + 3]         ; the attribute index as it was
        call    attr_flipflop
        mov     dx, 0x3C0
        out     dx, al
        popa
        ret
; .regs: CH registers from index CL of the index/data pair at DX to ES:DI+BX
.regs:  mov     al, cl
        out     dx, al
        inc     dx
        in      al, dx
        dec     dx
        mov     [es:di + bx], al
        inc     bx
        inc     cl
        dec     ch
        jnz     .regs
        ret

restore_hw:
        pusha
        push    ds
        push    es
        pop     ds
        mov     si, di
        call    load_regs_from
        pop     ds
        mov     al, 0x14
        mov     ah, [es:di + 5]
        call    attr_write
        mov     al, [es:di + 4]
        mov     dx, 0x3DA               ; feature control is written at 3xAh
        test    byte [es:di + M_MISC], 1
        jnz     .fc
        mov     dl, 0xBA
.fc:    out     dx, al
        mov     dx, 0x3C4
        mov     al, [es:di]
        out     dx, al
        mov     dx, 0x3CE
        mov     al, [es:di + 2]
        out     dx, al
        mov     dx, 0x3D4
        test    byte [es:di + M_MISC], 1
        jnz     .ci
        mov     dl, 0xB4
.ci:    mov     al, [es:di + 1]
        out     dx, al
        add     dx, 6
        in      al, dx
        mov     dx, 0x3C0
        mov     al, [es:di + 3]
        out     dx, al
        popa
        ret

save_bda:
        pusha
        mov     si, 0x49
        mov     cx, 0x1E
        rep     movsb
        mov     si, 0x84
        mov     cx, 7
        rep     movsb
        push    ds
        push    0
        pop     ds
        mov     si, 0x1F * 4
        movsw
        movsw
        mov     si, 0x43 * 4
        movsw
        movsw
        pop     ds
        popa
        ret

restore_bda:
        pusha
        push    ds
        push    es
        push    ds
        push    es
        pop     ds
        pop     es
        mov     si, di
        mov     di, 0x49
        mov     cx, 0x1E
        rep     movsb
        mov     di, 0x84
        mov     cx, 7
        rep     movsb
        push    0
        pop     es
        mov     di, 0x1F * 4
        movsw
        movsw
        mov     di, 0x43 * 4
        movsw
        movsw
        pop     es
        pop     ds
        popa
        ret

save_dac:
        pusha
        mov     dx, 0x3C7
        in      al, dx
        stosb                           ; state: 0 writing, 3 reading
        inc     dx
        in      al, dx
        stosb                           ; write index
        mov     dx, 0x3C6
        in      al, dx
        stosb
        mov     dx, 0x3C7
        xor     al, al
        out     dx, al
        add     dx, 2
        mov     cx, 768
        rep     insb
        popa
        ret

restore_dac:
        pusha
        push    ds
        push    es
        pop     ds
        mov     si, di
        mov     dx, 0x3C6
        mov     al, [si + 2]
        out     dx, al
        mov     dx, 0x3C8
        xor     al, al
        out     dx, al
        inc     dx
        add     si, 3
        mov     cx, 768
        rep     outsb
        mov     si, di
        mov     al, [si + 1]
        dec     dx
        cmp     byte [si], 3
        jne     .w
        dec     dx                      ; it was reading: the read index
.w:     out     dx, al
        pop     ds
        popa
        ret

; the DISPI part (VBE 4F04h, bit 3): registers 1-9 and ENABLE last
save_dispi:
        pusha
        mov     al, 1
.r:     call    dispi_read
        mov     [es:di], bx
        add     di, 2
        inc     al
        cmp     al, 10
        jb      .r
        popa
        ret

restore_dispi:
        pusha
        mov     al, DI_ENABLE
        xor     bx, bx
        call    dispi_write
        mov     si, .before
        call    .regs
        mov     bx, [es:di + (DI_ENABLE - 1) * 2]
        or      bx, EN_NOCLEAR          ; enabling recomputes the virtual width and offsets:
        mov     al, DI_ENABLE           ; they follow
        call    dispi_write
        mov     si, .after
        call    .regs
        popa
        ret
.regs:  mov     al, [cs:si]
        test    al, al
        jz      .r
        movzx   bx, al
        add     bx, bx
        mov     bx, [es:di + bx - 2]
        call    dispi_write
        inc     si
        jmp     .regs
.r:     ret
.before:
        db      DI_XRES, DI_YRES, DI_BPP, 0
.after: db      DI_BANK, DI_VWIDTH, DI_XOFF, DI_YOFF, 0
