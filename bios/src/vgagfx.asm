; VGA BIOS: graphics-mode pixels, characters and scrolling (INT 10h 0Ch, 0Dh and the graphics
; paths of 06h-0Ah, 0Eh). Memory layouts (IBM VGA Technical Reference): planar modes 0Dh-12h
; one byte a line per 8 pixels through the graphics controller; 13h one byte a pixel; CGA
; modes 04h-06h 80 bytes a line, even lines at offset 0, odd lines at 2000h, 04h/05h two bits
; a pixel (leftmost in bits 7-6), 06h one bit. Included by vgabios.asm (DS = BDA, SI = the mode
; entry).

; bytes a character cell is wide, per kind (text, planar, 256, CGA4, CGA2)
gfx_bpc:
        db      2, 1, 8, 2, 1

; gfx_line: AX = the offset of pixel line AX (page 0) in the mode at CS:SI.
gfx_line:
        push    dx
        cmp     byte [cs:si + M_KIND], K_CGA4
        jae     .cga
        cmp     byte [cs:si + M_KIND], K_256
        je      .l256
        movzx   dx, byte [cs:si + M_COLS]
        mul     dx
        jmp     .done
.l256:  mov     dx, 320
        mul     dx
        jmp     .done
.cga:   push    ax
        shr     ax, 1
        mov     dx, 80
        mul     dx
        pop     dx
        test    dl, 1
        jz      .done
        add     ax, 0x2000
.done:  pop     dx
        ret

; gfx_page: AX = the start of page BH (planar modes; the others have one page).
gfx_page:
        xor     ax, ax
        cmp     byte [cs:si + M_KIND], K_PLAN
        jne     .ret
        push    dx
        movzx   ax, bh
        and     al, 7
        mul     word [0x4C]
        pop     dx
.ret:   ret

; gc_defaults: graphics controller back to the planar modes' write mode 0, no function, all
; bits (after the BIOS's own write modes).
gc_defaults:
        cmp     byte [cs:si + M_KIND], K_PLAN
        jne     .ret
        push    ax
        push    dx
        mov     dx, 0x3CE
        mov     ax, 0x0000
        out     dx, ax
        mov     ax, 0x0001
        out     dx, ax
        mov     ax, 0x0003
        out     dx, ax
        mov     ax, 0x0005
        out     dx, ax
        mov     ax, 0xFF08
        out     dx, ax
        pop     dx
        pop     ax
.ret:   ret

; pixel_addr: ES:DI = the byte of pixel CX, DX on page BH; AH = its mask, CL = its shift
; (the pixel's bits are AH, the value's lowest bit at CL).
pixel_addr:
        push    bx
        mov     es, [cs:si + M_SEG]
        mov     ax, dx
        call    gfx_line
        mov     di, ax
        call    gfx_page
        add     di, ax
        mov     bl, [cs:si + M_KIND]
        mov     ax, cx
        cmp     bl, K_256
        jne     .n256
        add     di, ax
        mov     ah, 0xFF
        xor     cl, cl
        pop     bx
        ret
.n256:  cmp     bl, K_CGA4
        jne     .bit
        shr     ax, 2
        add     di, ax
        and     cl, 3
        xor     cl, 3
        shl     cl, 1                   ; pixel 0 in bits 7-6
        mov     ah, 3
        shl     ah, cl
        pop     bx
        ret
.bit:   shr     ax, 3                   ; planar and CGA 2-colour: one bit a pixel
        add     di, ax
        and     cl, 7
        xor     cl, 7
        mov     ah, 1
        shl     ah, cl
        pop     bx
        ret

; put_pixel: colour AL (bit 7: XOR, except in 256-colour mode) at CX, DX of page BH.
put_pixel:
        pusha
        push    es
        mov     bl, al
        call    pixel_addr
        mov     al, [cs:si + M_KIND]
        cmp     al, K_PLAN
        je      .planar
        cmp     al, K_256
        je      .p256
        cmp     al, K_TEXT
        je      .done
        mov     al, bl                  ; CGA: the colour's bits at the pixel
        shl     al, cl
        and     al, ah
        test    bl, 0x80
        jnz     .xor
        not     ah
        and     [es:di], ah
        or      [es:di], al
        jmp     .done
.xor:   xor     [es:di], al
        jmp     .done
.p256:  mov     [es:di], bl
        jmp     .done
.planar:
        mov     dx, 0x3CE
        mov     al, 8                   ; bit mask: this pixel
        out     dx, ax
        mov     ax, 0x0205              ; write mode 2: the byte written is the colour
        out     dx, ax
        mov     ax, 0x0003
        test    bl, 0x80
        jz      .fn
        mov     ah, 0x18                ; function select: XOR
.fn:    out     dx, ax
        mov     al, [es:di]             ; load the latches
        mov     [es:di], bl
        call    gc_defaults
.done:  pop     es
        popa
        ret

; 0Ch: write pixel AL at CX, DX of page BH.
write_pixel:
        call    cur_mode
        jc      .ret
        call    put_pixel
.ret:   ret

; 0Dh: AL = the pixel at CX, DX of page BH.
read_pixel:
        call    cur_mode
        jc      .ret
        cmp     byte [cs:si + M_KIND], K_TEXT
        je      .ret
        call    pixel_addr
        cmp     byte [cs:si + M_KIND], K_PLAN
        je      .planar
        mov     al, [es:di]
        and     al, ah
        shr     al, cl
        mov     [bp + F_AL], al
.ret:   ret
.planar:
        mov     bh, ah
        xor     bl, bl
        mov     dx, 0x3CE
        mov     cx, 0x0304              ; read map 3 down to 0
.plane: mov     ax, cx
        out     dx, ax
        shl     bl, 1
        test    [es:di], bh
        jz      .p0
        or      bl, 1
.p0:    sub     ch, 1
        jnc     .plane
        mov     ax, 0x0004
        out     dx, ax
        mov     [bp + F_AL], bl
        ret

; glyph_ptr: GS:BP = the graphics glyph of character AL: INT 43h's table (40:85 bytes a
; glyph); in the CGA modes characters 80h-FFh come from INT 1Fh's (IBM PC BIOS).
glyph_ptr:
        push    ax
        push    ds
        push    0
        pop     ds
        movzx   ax, al
        cmp     byte [cs:si + M_KIND], K_CGA4
        jb      .v43
        cmp     al, 0x80
        jb      .v43
        sub     al, 0x80
        lgs     bp, [0x1F * 4]
        jmp     .ofs
.v43:   lgs     bp, [0x43 * 4]
.ofs:   pop     ds
        mul     byte [0x85]
        add     bp, ax
        pop     ax
        ret

; cell_line: ES:DI = the first byte of column DL on pixel line AX of page BH.
cell_line:
        push    ax
        push    bx
        mov     es, [cs:si + M_SEG]
        call    gfx_line
        mov     di, ax
        call    gfx_page
        add     di, ax
        movzx   bx, byte [cs:si + M_KIND]
        mov     al, [cs:gfx_bpc + bx]
        mul     dl
        add     di, ax
        pop     bx
        pop     ax
        ret

; draw_glyph: character AL in colour BL (bit 7: XOR into the picture) at row DH, column DL of
; page BH in the graphics mode of CS:SI; the cell's other pixels become colour 0.
draw_glyph:
        pusha
        push    es
        push    gs
        call    glyph_ptr
        movzx   ax, dh
        mul     byte [0x85]             ; AX = the cell's first pixel line
        mov     ch, [0x85]
.line:  call    cell_line
        mov     cl, [gs:bp]
        call    glyph_line
        inc     bp
        inc     ax
        dec     ch
        jnz     .line
        call    gc_defaults
        pop     gs
        pop     es
        popa
        ret

; glyph_line: the 8 pixels at ES:DI from bits CL (MSB left) in colour BL.
glyph_line:
        pusha
        mov     al, [cs:si + M_KIND]
        cmp     al, K_PLAN
        je      .planar
        cmp     al, K_256
        je      .l256
        cmp     al, K_CGA4
        je      .cga4
        xor     al, al                  ; CGA 2-colour: the bits themselves in colour 1
        test    bl, 1
        jz      .c2
        mov     al, cl
.c2:    test    bl, 0x80
        jnz     .x2
        mov     [es:di], al
        jmp     .ret
.x2:    xor     [es:di], al
        jmp     .ret
.cga4:  xor     ax, ax
        mov     dl, bl
        and     dl, 3
        mov     ch, 8
.c4:    shl     ax, 2
        shl     cl, 1
        jnc     .c4z
        or      al, dl
.c4z:   dec     ch
        jnz     .c4
        test    bl, 0x80
        jnz     .x4
        mov     [es:di], ah
        mov     [es:di + 1], al
        jmp     .ret
.x4:    xor     [es:di], ah
        xor     [es:di + 1], al
        jmp     .ret
.l256:  mov     ch, 8
.b:     xor     al, al
        shl     cl, 1
        jnc     .bz
        mov     al, bl
.bz:    stosb
        dec     ch
        jnz     .b
        jmp     .ret
.planar:
        mov     dx, 0x3CE
        mov     ax, 0x0205              ; write mode 2
        out     dx, ax
        test    bl, 0x80
        jnz     .xp
        mov     ax, 0xFF08              ; the whole byte to colour 0 first
        out     dx, ax
        mov     al, [es:di]
        mov     byte [es:di], 0
        jmp     .fg
.xp:    mov     ax, 0x1803              ; function select: XOR
        out     dx, ax
.fg:    mov     al, 8
        mov     ah, cl
        out     dx, ax
        mov     al, [es:di]
        mov     [es:di], bl
.ret:   popa
        ret

; gfx_read_char: AX = the character whose glyph matches the cell at row DH, column DL of page
; BH (a pixel is set when it is not colour 0), 0 when none does.
gfx_read_char:
        push    bx
        push    cx
        push    dx
        push    di
        push    bp
        push    es
        push    gs
        mov     bp, sp
        sub     sp, 16
        movzx   ax, dh
        mul     byte [0x85]
        xor     cx, cx                  ; CL = line
.line:  call    cell_line
        push    dx
        call    read_line_bits
        mov     di, cx
        mov     [ss:bp - 16 + di], dl
        pop     dx
        inc     ax
        inc     cl
        cmp     cl, [0x85]
        jb      .line
        call    gc_defaults
        xor     ax, ax
        push    bp
        call    glyph_ptr
        mov     bx, bp
        pop     bp
        mov     cx, 256
        cmp     byte [cs:si + M_KIND], K_CGA4
        jb      .cmp
        mov     cx, 128
.cmp:   call    match_glyph
        jnc     .found
        cmp     byte [cs:si + M_KIND], K_CGA4
        jb      .none
        mov     ax, 0x80
        push    bp
        call    glyph_ptr
        mov     bx, bp
        pop     bp
        mov     cx, 128
        call    match_glyph
        jnc     .found
.none:  xor     ax, ax
.found: mov     sp, bp
        pop     gs
        pop     es
        pop     bp
        pop     di
        pop     dx
        pop     cx
        pop     bx
        ret

; match_glyph: compares the pattern at SS:BP-16 with CX glyphs at GS:BX (40:85 bytes each);
; AX counts up from its value per glyph; CF clear at the match (AX its code).
match_glyph:
        push    si
        push    di
.each:  xor     si, si
.byte:  mov     dl, [gs:bx + si]
        mov     di, si
        cmp     dl, [ss:bp - 16 + di]
        jne     .next
        inc     si
        cmp     si, [0x85]
        jb      .byte
        pop     di
        pop     si
        clc
        ret
.next:  add     bx, [0x85]
        inc     ax
        loop    .each
        pop     di
        pop     si
        stc
        ret

; read_line_bits: DL = one bit per pixel (set when not colour 0) of the 8 pixels at ES:DI.
read_line_bits:
        push    ax
        push    cx
        mov     al, [cs:si + M_KIND]
        cmp     al, K_PLAN
        je      .planar
        cmp     al, K_256
        je      .l256
        cmp     al, K_CGA4
        je      .cga4
        mov     dl, [es:di]
        jmp     .ret
.cga4:  mov     ah, [es:di]
        mov     al, [es:di + 1]
        mov     cx, 8
.c4:    shl     dl, 1
        test    ah, 0xC0
        jz      .c4z
        or      dl, 1
.c4z:   shl     ax, 2
        loop    .c4
        jmp     .ret
.l256:  mov     cx, 8
        push    di
.b:     shl     dl, 1
        cmp     byte [es:di], 0
        je      .bz
        or      dl, 1
.bz:    inc     di
        loop    .b
        pop     di
        jmp     .ret
.planar:
        push    dx
        xor     cl, cl
        mov     dx, 0x3CE
        mov     ax, 0x0304              ; read maps 3..0, OR-ed
.p:     out     dx, ax
        or      cl, [es:di]
        sub     ah, 1
        jnc     .p
        mov     ax, 0x0004
        out     dx, ax
        pop     dx
        mov     dl, cl
.ret:   pop     cx
        pop     ax
        ret

; gfx_scroll_row: as scroll_row for graphics modes: character row BL (columns CL..DL) from
; row AL, or colour BH when AL is past DH; whole character cells, active page.
gfx_scroll_row:
        pusha
        push    ds
        push    es
        mov     bp, sp                  ; [bp+12] BX, [bp+14] DX, [bp+16] CX, [bp+18] AX
        sub     sp, 10
        movzx   di, byte [cs:si + M_KIND]
        mov     ah, [cs:gfx_bpc + di]
        mov     al, dl
        sub     al, cl
        inc     al
        mul     ah
        mov     [bp - 2], ax            ; bytes a line
        mov     ah, [cs:gfx_bpc + di]
        mov     al, cl
        mul     ah
        mov     [bp - 4], ax            ; the first column's offset
        push    bx
        mov     bh, [0x62]
        call    gfx_page
        pop     bx
        mov     [bp - 6], ax
        mov     al, [0x85]
        mov     [bp - 10], al
        mov     al, bh                  ; the fill byte
        cmp     di, K_CGA4
        jne     .f2
        and     al, 3
        mov     ah, 0x55
        mul     ah
        jmp     .fset
.f2:    cmp     di, K_CGA2
        jne     .fset
        and     al, 1
        neg     al
.fset:  mov     [bp - 8], al
        mov     es, [cs:si + M_SEG]
        mov     dx, 0x3CE               ; planar: write mode 1 copies the latches,
        cmp     di, K_PLAN              ; set/reset fills with the colour
        jne     .go
        mov     al, [bp + 18]
        cmp     al, [bp + 15]
        ja      .pfill
        mov     ax, 0x0105
        out     dx, ax
        jmp     .go
.pfill: mov     al, 0
        mov     ah, bh
        and     ah, 0x0F
        out     dx, ax
        mov     ax, 0x0F01
        out     dx, ax
.go:    xor     cx, cx
.line:  mov     al, [bp + 12]
        mul     byte [bp - 10]
        add     ax, cx
        call    gfx_line
        add     ax, [bp - 4]
        add     ax, [bp - 6]
        mov     di, ax
        mov     al, [bp + 18]
        cmp     al, [bp + 15]
        ja      .fill
        mul     byte [bp - 10]
        add     ax, cx
        call    gfx_line
        add     ax, [bp - 4]
        add     ax, [bp - 6]
        push    si
        push    cx
        push    ds
        mov     si, ax
        mov     cx, [bp - 2]
        push    es
        pop     ds
        rep     movsb
        pop     ds
        pop     cx
        pop     si
        jmp     .next
.fill:  push    cx
        mov     cx, [bp - 2]
        mov     al, [bp - 8]
        rep     stosb
        pop     cx
.next:  inc     cx
        cmp     cl, [bp - 10]
        jb      .line
        call    gc_defaults
        mov     sp, bp
        pop     es
        pop     ds
        popa
        ret
