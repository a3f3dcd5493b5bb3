; VGA BIOS: cursor, pages, scrolling, characters and teletype (INT 10h 01h-03h, 05h-0Ah, 0Eh,
; 0Fh, 13h), text modes through the B8000/B0000 window, graphics modes through vgagfx.asm.
; Included by vgabios.asm (INT 10h frame at BP, DS = BDA).

; ---------------------------------------------------------------- cursor and pages
; 01h: CH start, CL end line. Stored as given in 40:60; with cursor emulation on (40:87 bit 0
; clear) the CGA-style lines 0-7 are scaled in 16-line text (line n becomes 2n+1 for the
; start, 2n for the end, so 0607h is 0D-0Eh).
set_cursor_shape:
        mov     [0x60], cx
        mov     ah, ch
        mov     al, cl
        test    byte [0x87], 0x01
        jnz     .prog
        cmp     byte [0x85], 16
        jne     .prog
        test    ch, 0x20                ; bit 5: cursor off, kept as is
        jnz     .prog
        cmp     al, 8
        jae     .prog
        cmp     ah, 8
        jae     .prog
        shl     ah, 1
        inc     ah
        shl     al, 1
.prog:  call    crtc_port
        mov     cl, al
        mov     al, 0x0A
        out     dx, ax
        mov     ah, cl
        mov     al, 0x0B
        out     dx, ax
        ret

; 02h: BH page, DH row, DL column.
set_cursor_pos:
        and     bh, 7
        movzx   si, bh
        add     si, si
        mov     [0x50 + si], dx
        cmp     bh, [0x62]
        jne     .ret
        call    update_cursor
.ret:   ret

; update_cursor: the CRTC cursor location from the active page's BDA position.
update_cursor:
        push    ax
        push    bx
        push    dx
        movzx   bx, byte [0x62]
        add     bx, bx
        mov     dx, [0x50 + bx]
        mov     al, dh
        mul     byte [0x4A]
        movzx   dx, dl
        add     ax, dx
        mov     bx, [0x4E]
        shr     bx, 1
        add     bx, ax
        call    crtc_port
        mov     al, 0x0E
        mov     ah, bh
        out     dx, ax
        mov     al, 0x0F
        mov     ah, bl
        out     dx, ax
        pop     dx
        pop     bx
        pop     ax
        ret

; 03h: BH page -> DH/DL position, CH/CL shape.
get_cursor_pos:
        and     bh, 7
        movzx   si, bh
        add     si, si
        mov     ax, [0x50 + si]
        mov     [bp + F_DX], ax
        mov     ax, [0x60]
        mov     [bp + F_CX], ax
        ret

; 05h: AL page. The CRTC start address counts character cells in text modes (word mode) and
; bytes in the planar modes.
set_page:
        and     al, 7
        mov     [0x62], al
        movzx   ax, al
        mul     word [0x4C]
        mov     [0x4E], ax
        mov     bx, ax
        call    cur_mode
        jc      .cur
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .start
        shr     bx, 1
.start: call    crtc_port
        mov     al, 0x0C
        mov     ah, bh
        out     dx, ax
        mov     al, 0x0D
        mov     ah, bl
        out     dx, ax
.cur:   call    update_cursor
        ret

; ---------------------------------------------------------------- text cells
; cell_addr: ES:DI = the cell at row DH, column DL of page BH (text modes: B8000, or B0000 in
; the monochrome mode 07h).
cell_addr:
        push    ax
        push    bx
        push    dx
        movzx   ax, bh
        and     al, 7
        mul     word [0x4C]
        mov     di, ax
        pop     dx
        push    dx
        mov     al, dh
        mul     byte [0x4A]             ; byte multiply: DX stays
        movzx   bx, dl
        add     ax, bx
        add     ax, ax
        add     di, ax
        mov     ax, 0xB800
        cmp     byte [0x49], 7
        jne     .seg
        mov     ah, 0xB0
.seg:   mov     es, ax
        pop     dx
        pop     bx
        pop     ax
        ret

; page_cursor: DX = the cursor of page BH (SI, the mode entry, is kept).
page_cursor:
        push    bx
        movzx   bx, bh
        and     bl, 7
        add     bx, bx
        mov     dx, [0x50 + bx]
        pop     bx
        ret

; 06h/07h: scroll the window CH,CL - DH,DL of the active page up/down by AL lines (0: clear),
; filling with attribute BH (in graphics modes: colour BH).
scroll_up:
        xor     ah, ah
        jmp     scroll
scroll_down:
        mov     ah, 1
; scroll: AH 0 up / 1 down, AL lines, BH attribute, CX top left, DX bottom right.
scroll:
        pusha
        call    cur_mode
        jc      .ret
        push    ax
        mov     al, [0x4A]
        dec     al
        cmp     dl, al
        jbe     .c1
        mov     dl, al
.c1:    mov     al, [0x84]
        cmp     dh, al
        jbe     .c2
        mov     dh, al
.c2:    pop     ax
        cmp     ch, dh
        ja      .ret
        cmp     cl, dl
        ja      .ret
        mov     bl, dh
        sub     bl, ch
        inc     bl                      ; window height
        test    al, al
        jz      .all
        cmp     al, bl
        jbe     .n
.all:   mov     al, bl
.n:     movzx   bp, al                  ; BP = lines (the frame is not used here; popa restores it)
        test    ah, ah
        jnz     .down
        mov     bl, ch                  ; up: each row from the row n below
.up:    mov     ax, bp
        add     al, bl
        jnc     .u1
        mov     al, 0xFF
.u1:    call    scroll_row
        inc     bl
        cmp     bl, dh
        jbe     .up
        jmp     .ret
.down:  mov     bl, dh                  ; down: each row from the row n above, bottom first
.dn:    movzx   ax, bl
        sub     ax, bp
        jl      .blank
        cmp     al, ch
        jae     .copy
.blank: mov     al, 0xFF
.copy:  call    scroll_row
        cmp     bl, ch
        je      .ret
        dec     bl
        jmp     .dn
.ret:   popa
        ret

; scroll_row: window row BL (columns CL..DL, rows CH..DH, active page) from row AL, or blank
; with attribute BH when AL is past DH. SI = the mode entry.
scroll_row:
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     gfx_scroll_row
        pusha
        push    ds
        push    dx
        push    bx
        push    ax
        mov     bh, [0x62]
        mov     dh, bl
        mov     dl, cl
        call    cell_addr
        pop     ax
        pop     bx
        pop     dx
        sub     dl, cl
        movzx   cx, dl
        inc     cx                      ; window width
        cmp     al, dh
        ja      .fill
        sub     al, bl
        cbw
        imul    word [0x4A]
        add     ax, ax
        mov     si, di
        add     si, ax
        push    es
        pop     ds
        rep     movsw
        jmp     .done
.fill:  mov     ah, bh
        mov     al, ' '
        rep     stosw
.done:  pop     ds
        popa
        ret

; 08h: AX = character and attribute at the cursor of page BH (graphics modes: the character
; whose glyph matches the cell's pixels, AH = 0).
read_char:
        call    cur_mode
        jc      .ret
        call    page_cursor
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .gfx
        call    cell_addr
        mov     ax, [es:di]
        mov     [bp + F_AX], ax
.ret:   ret
.gfx:   call    gfx_read_char
        mov     [bp + F_AX], ax
        ret

; 09h/0Ah: CX copies of AL (with attribute BL for 09h) at the cursor of page BH; the cursor
; does not move. Graphics modes draw the glyph in colour BL (bit 7: XOR) for both.
write_char_attr:
        mov     ah, 1
        jmp     write_chars
write_char:
        xor     ah, ah
write_chars:
        call    cur_mode
        jc      .ret
        call    page_cursor
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .gfx
        call    cell_addr
        jcxz    .ret
.t:     mov     [es:di], al
        test    ah, ah
        jz      .t1
        mov     [es:di + 1], bl
.t1:    add     di, 2
        loop    .t
.ret:   ret
.gfx:   jcxz    .ret
.g:     call    draw_glyph
        inc     dl
        cmp     dl, [0x4A]
        jae     .ret
        loop    .g
        ret

; 0Eh: teletype AL on the active page; BL is the colour in graphics modes.
teletype:
        mov     bh, [0x62]
        xor     ah, ah
        jmp     tty

; tty: character AL to page BH at its cursor; AH 1: with attribute BL (text), 0: keep the
; cell's attribute. BEL, BS, CR and LF act; the screen scrolls up at the bottom (graphics
; modes: the new line is colour 0).
tty:
        pusha
        push    es
        call    cur_mode
        jc      .ret
        call    page_cursor
        cmp     al, 7
        je      .ret                    ; BEL: no beep (the speaker is the board's business)
        cmp     al, 8
        jne     .cr
        test    dl, dl
        jz      .store
        dec     dl
        jmp     .store
.cr:    cmp     al, 13
        jne     .lf
        xor     dl, dl
        jmp     .store
.lf:    cmp     al, 10
        je      .nl
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .gfx
        call    cell_addr
        mov     [es:di], al
        test    ah, ah
        jz      .adv
        mov     [es:di + 1], bl
        jmp     .adv
.gfx:   call    draw_glyph
.adv:   inc     dl
        cmp     dl, [0x4A]
        jb      .store
        xor     dl, dl
.nl:    inc     dh
        cmp     dh, [0x84]
        jbe     .store
        mov     dh, [0x84]
        push    dx
        push    bx
        xor     bh, bh                  ; graphics: colour 0
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .scr
        mov     bh, [0x62]
        call    cell_addr
        mov     bh, [es:di + 1]         ; the new line takes the attribute under the cursor
.scr:   mov     ax, 0x0001
        xor     cx, cx
        mov     dh, [0x84]
        mov     dl, [0x4A]
        dec     dl
        call    scroll
        pop     bx
        pop     dx
.store: movzx   si, bh
        and     si, 7
        add     si, si
        mov     [0x50 + si], dx
        cmp     bh, [0x62]
        jne     .ret
        call    update_cursor
.ret:   pop     es
        popa
        ret

; 0Fh: AL mode (bit 7: memory kept), AH columns, BH active page.
get_mode:
        mov     al, [0x87]
        and     al, 0x80
        or      al, [0x49]
        mov     ah, [0x4A]
        mov     [bp + F_AX], ax
        mov     al, [0x62]
        mov     [bp + F_BH], al
        ret

; 13h: write CX characters of ES:BP at DH, DL of page BH, attribute BL; AL bit 0: move the
; cursor, bit 1: the string alternates characters and attributes.
write_string:
        movzx   di, bh
        and     di, 7
        add     di, di
        push    word [0x50 + di]
        mov     [0x50 + di], dx
        mov     si, [bp + F_BP]
        jcxz    .end
.each:  mov     al, [es:si]
        inc     si
        mov     bl, [bp + F_BL]
        test    byte [bp + F_AL], 2
        jz      .put
        mov     bl, [es:si]
        inc     si
.put:   mov     ah, 1
        call    tty
        loop    .each
.end:   pop     ax
        test    byte [bp + F_AL], 1
        jnz     .ret
        mov     [0x50 + di], ax
        cmp     bh, [0x62]
        jne     .ret
        call    update_cursor
.ret:   ret
