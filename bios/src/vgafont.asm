; VGA BIOS: INT 10h 11h, character generator (IBM VGA BIOS interface). Text fonts live in
; plane 2 (load_font); graphics fonts are the tables INT 43h (all characters) and INT 1Fh
; (CGA modes, 80h-FFh) point at. Included by vgabios.asm (frame at BP, DS = BDA).

font_fn:
        cmp     al, 0x30
        je      font_info
        cmp     al, 0x03
        je      .select
        cmp     al, 0x20
        jae     gfx_font
        mov     ah, al
        and     ah, 0xEF                ; 1xh: as 0xh, then the screen follows the font height
        cmp     ah, 0x04
        ja      .r
        cmp     ah, 0x03
        je      .r
        test    ah, ah
        jz      .user
        push    cs
        pop     es
        mov     di, font8x14
        mov     bh, 14
        cmp     ah, 0x01
        je      .rom
        mov     di, font8x8
        mov     bh, 8
        cmp     ah, 0x02
        je      .rom
        mov     di, font8x16
        mov     bh, 16
.rom:   mov     cx, 256
        xor     dx, dx
        jmp     .load
.select:                                ; 03h: character map select BL (sequencer register 3)
        mov     dx, 0x3C4
        mov     al, 0x03
        mov     ah, bl
        out     dx, ax
.r:     ret
.user:  mov     di, [bp + F_BP]         ; 00h/10h: ES:BP, CX glyphs from DX, BH bytes, block BL
.load:  push    ax
        call    load_font
        pop     ax
        test    al, 0x10
        jz      .r
        ; fall through

; font_height: after 11h 1xh: character height BH in the CRTC (maximum scan line, cursor
; lines, vertical display end = rows * height - 1 within the mode's scan lines) and in the
; BDA (40:84 rows - 1, 40:85 height, 40:4C page size rounded up to 256 bytes).
font_height:
        movzx   cx, bh
        cmp     cx, 1
        jb      .ret
        cmp     cx, 32
        ja      .ret
        call    crtc_port
        mov     al, 0x09
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 0xE0
        mov     ah, bh
        dec     ah
        or      al, ah
        out     dx, al
        dec     dx
        mov     ah, bh                  ; cursor: the last two lines (16 and 14: one higher)
        sub     ah, 2
        cmp     bh, 8
        jbe     .cur
        dec     ah
.cur:   mov     al, 0x0A
        out     dx, ax
        inc     ah
        mov     al, 0x0B
        out     dx, ax
        mov     al, 0x12                ; scan lines shown: vertical display end + 1
        out     dx, al
        inc     dx
        in      al, dx
        mov     bl, al
        dec     dx
        mov     al, 0x07
        out     dx, al
        inc     dx
        in      al, dx
        dec     dx
        mov     ah, al
        xor     bh, bh
        test    ah, 0x02
        jz      .b9
        or      bh, 1
.b9:    test    ah, 0x40
        jz      .lines
        or      bh, 2
.lines: inc     bx                      ; BX = lines
        mov     ax, bx
        push    dx
        xor     dx, dx
        div     cx                      ; AX = rows
        pop     dx
        test    ax, ax
        jz      .ret
        mov     si, ax
        dec     al
        mov     [0x84], al
        mov     [0x85], cx
        mov     ax, si
        mul     byte [0x4A]             ; byte multiplies keep DX
        add     ax, ax
        add     ax, 0xFF
        xor     al, al
        mov     [0x4C], ax
        mov     ax, si
        mul     cl
        dec     ax                      ; the new vertical display end
        mov     bx, ax
        mov     al, 0x12
        mov     ah, bl
        out     dx, ax
        mov     al, 0x07
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 0xBD
        test    bh, 1
        jz      .o8
        or      al, 0x02
.o8:    test    bh, 2
        jz      .o9
        or      al, 0x40
.o9:    out     dx, al
.ret:   ret

; 20h-24h: graphics fonts. 20h: INT 1Fh = ES:BP (CGA characters 80h-FFh). 21h: INT 43h = ES:BP,
; CX bytes a character; 22h/23h/24h: INT 43h = the ROM 8x14/8x8/8x16 font. Rows by BL: 0 DL,
; 1 14, 2 25, 3 43.
gfx_font:
        cmp     al, 0x24
        ja      .r
        push    ds
        push    0
        pop     ds
        mov     di, [bp + F_BP]
        cmp     al, 0x20
        jne     .n20
        mov     [0x1F * 4], di
        mov     [0x1F * 4 + 2], es
        pop     ds
.r:     ret
.n20:   push    cs
        pop     es
        cmp     al, 0x22
        jne     .n22
        mov     di, font8x14
        mov     cx, 14
.n22:   cmp     al, 0x23
        jne     .n23
        mov     di, font8x8
        mov     cx, 8
.n23:   cmp     al, 0x24
        jne     .n24
        mov     di, font8x16
        mov     cx, 16
.n24:   cmp     al, 0x21
        jne     .set
        mov     es, [bp + F_ES]
.set:   mov     [0x43 * 4], di
        mov     [0x43 * 4 + 2], es
        pop     ds
        mov     [0x85], cx
        mov     al, dl
        cmp     bl, 1
        jb      .rows
        mov     al, 14
        je      .rows
        mov     al, 25
        cmp     bl, 2
        je      .rows
        mov     al, 43
.rows:  dec     al
        mov     [0x84], al
        ret

; 30h: font information: ES:BP for BH (0 INT 1Fh, 1 INT 43h, 2 ROM 8x14, 3 ROM 8x8, 4 ROM 8x8
; characters 80h-FFh, 5 9x14 alternates, 6 ROM 8x16, 7 9x16 alternates); CX = bytes a
; character (40:85), DL = rows - 1 (40:84).
font_info:
        xor     ax, ax
        mov     es, ax
        movzx   si, bh
        cmp     si, 7
        ja      .ret
        add     si, si
        jmp     [cs:.table + si]
.table: dw      .vec1f, .vec43, .f14, .f8, .f8hi, .alt, .f16, .alt
.vec1f: les     bx, [es:0x1F * 4]
        jmp     .es
.vec43: les     bx, [es:0x43 * 4]
.es:    mov     ax, es
        jmp     .ptr
.f14:   mov     bx, font8x14
        jmp     .cs
.f8:    mov     bx, font8x8
        jmp     .cs
.f8hi:  mov     bx, font8x8 + 128 * 8
        jmp     .cs
.f16:   mov     bx, font8x16
        jmp     .cs
.alt:   mov     bx, no_alternates
.cs:    mov     ax, cs
.ptr:   mov     [bp + F_ES], ax
        mov     [bp + F_BP], bx
        mov     ax, [0x85]
        mov     [bp + F_CX], ax
        mov     al, [0x84]
        mov     [bp + F_DL], al
.ret:   ret

; the 9-dot alternate glyph tables (character, 14 or 16 lines; 0 ends): this BIOS's fonts
; need none, their line-graphics characters use the ninth column through the attribute
; controller's line graphics bit.
no_alternates:
        db      0
