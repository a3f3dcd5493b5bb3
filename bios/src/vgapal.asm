; VGA BIOS: palettes: INT 10h 0Bh (CGA colour palette) and 10h (attribute palette registers
; and DAC), IBM VGA BIOS interface. Included by vgabios.asm (frame at BP, DS = BDA).

; attr_write: attribute controller register AL = AH. attr_read: AH = register AL. Input
; status 1 (CRTC base + 6) resets the index/data flip-flop first; the palette address source
; bit is set again after (video on).
attr_flipflop:
        push    ax
        push    dx
        call    crtc_port
        add     dx, 6
        in      al, dx
        pop     dx
        pop     ax
        ret
attr_write:
        push    dx
        call    attr_flipflop
        push    ax
        mov     dx, 0x3C0
        out     dx, al
        mov     al, ah
        out     dx, al
        mov     al, 0x20
        out     dx, al
        pop     ax
        pop     dx
        ret
attr_read:
        push    dx
        push    bx
        mov     bl, al
        call    attr_flipflop
        mov     dx, 0x3C0
        mov     al, bl
        out     dx, al
        inc     dx
        in      al, dx
        mov     bh, al
        call    attr_flipflop
        mov     dx, 0x3C0
        mov     al, 0x20
        out     dx, al
        mov     ax, bx
        pop     bx
        pop     dx
        ret

; 0Bh: BH 0: background/border colour BL (bits 0-3 IRGB; bit 4 intensified palette in modes
; 04h/05h); BH 1: palette BL bit 0 of modes 04h/05h (0: green/red/brown, 1: cyan/magenta/
; white). The CGA IRGB colours are DAC entries 00h-07h, 10h-17h of the CGA table.
cga_palette:
        cmp     bh, 1
        ja      .ret
        je      .pal
        mov     al, [0x66]
        and     al, 0xE0
        mov     ah, bl
        and     ah, 0x1F
        or      al, ah
        mov     [0x66], al
        mov     ah, bl
        and     ah, 0x07
        test    bl, 0x08
        jz      .bg
        or      ah, 0x10
.bg:    mov     al, 0x11                ; border
        call    attr_write
        cmp     byte [0x49], 3
        jbe     .ret
        xor     al, al                  ; graphics: colour 0 too
        call    attr_write
        jmp     .fg
.pal:   and     byte [0x66], 0xDF
        test    bl, 1
        jz      .fg
        or      byte [0x66], 0x20
.fg:    cmp     byte [0x49], 4
        jb      .ret
        cmp     byte [0x49], 5
        ja      .ret
        mov     ah, 2
        test    byte [0x66], 0x20
        jz      .p0
        inc     ah
.p0:    test    byte [0x66], 0x10
        jz      .p1
        or      ah, 0x10
.p1:    mov     al, 1
.each:  call    attr_write
        add     ah, 2
        inc     al
        cmp     al, 4
        jb      .each
.ret:   ret

; grey_sum: DAC entries BX.. (CX of them) to grey: 30% red, 59% green, 11% blue (IBM VGA
; BIOS, 101Bh), here 77/256, 151/256, 28/256 rounded.
grey_sum:
        pusha
        jcxz    .ret
.each:  mov     dx, 0x3C7
        mov     al, bl
        out     dx, al
        add     dx, 2
        in      al, dx
        mov     ah, 77
        mul     ah
        mov     si, ax
        in      al, dx
        mov     ah, 151
        mul     ah
        add     si, ax
        in      al, dx
        mov     ah, 28
        mul     ah
        add     ax, si
        add     ax, 128
        mov     al, ah
        dec     dx
        push    ax
        mov     al, bl
        out     dx, al
        pop     ax
        inc     dx
        out     dx, al
        out     dx, al
        out     dx, al
        inc     bx
        loop    .each
.ret:   popa
        ret

; 10h: palette registers and DAC.
palette:
        cmp     al, 0x1B
        ja      .r
        movzx   si, al
        add     si, si
        jmp     [cs:.table + si]
.table: dw      .set1, .border, .setall, .blink, .r, .r, .r, .get1
        dw      .getborder, .getall, .r, .r, .r, .r, .r, .r
        dw      .dac1, .r, .dacset, .paging, .r, .dacget1, .r, .dacget
        dw      .setmask, .getmask, .pagestate, .grey
.set1:  cmp     bl, 0x14
        jae     .r
        mov     al, bl
        mov     ah, bh
        jmp     attr_write
.border:
        mov     al, 0x11
        mov     ah, bh
        jmp     attr_write
.setall:
        mov     si, dx
        xor     al, al
.sa:    mov     ah, [es:si]
        call    attr_write
        inc     si
        inc     al
        cmp     al, 16
        jb      .sa
        mov     ah, [es:si]
        mov     al, 0x11
        jmp     attr_write
.blink: mov     al, 0x10                ; mode control bit 3: blink (1) or bright background
        call    attr_read
        and     ah, 0xF7
        test    bl, 1
        jz      .b0
        or      ah, 0x08
.b0:    jmp     attr_write
.get1:  cmp     bl, 0x14
        jae     .r
        mov     al, bl
        call    attr_read
        mov     [bp + F_BH], ah
.r:     ret
.getborder:
        mov     al, 0x11
        call    attr_read
        mov     [bp + F_BH], ah
        ret
.getall:
        mov     di, dx
        xor     al, al
.ga:    call    attr_read
        mov     [es:di], ah
        inc     di
        inc     al
        cmp     al, 16
        jb      .ga
        mov     al, 0x11
        call    attr_read
        mov     [es:di], ah
        ret
.dac1:  mov     al, bl
        mov     dx, 0x3C8
        out     dx, al
        inc     dx
        mov     al, [bp + F_DH]
        out     dx, al
        mov     al, ch
        out     dx, al
        mov     al, cl
        out     dx, al
        ret
.dacset:
        mov     si, dx
        mov     ax, 3
        mul     cx
        mov     cx, ax
        mov     al, bl
        mov     dx, 0x3C8
        out     dx, al
        inc     dx
        push    ds
        push    es
        pop     ds
        rep     outsb
        pop     ds
        ret
; 13h: colour paging. BL 0: BH 0 four pages of 64 DAC entries, 1 sixteen of 16 (mode control
; bit 7: palette bits 5-4 from colour select); BL 1: page BH (colour select bits 3-2 in the
; four-page scheme, bits 3-0 in the sixteen-page one).
.paging:
        cmp     byte [0x49], 0x13
        je      .r
        mov     al, 0x10
        call    attr_read
        test    bl, bl
        jnz     .page
        and     ah, 0x7F
        test    bh, 1
        jz      .pm
        or      ah, 0x80
.pm:    jmp     attr_write
.page:  cmp     bl, 1
        jne     .r
        mov     al, bh
        test    ah, 0x80
        jnz     .p16
        shl     al, 2
.p16:   mov     ah, al
        and     ah, 0x0F
        mov     al, 0x14
        jmp     attr_write
.dacget1:
        mov     al, bl
        mov     dx, 0x3C7
        out     dx, al
        add     dx, 2
        in      al, dx
        mov     [bp + F_DH], al
        in      al, dx
        mov     [bp + F_CH], al
        in      al, dx
        mov     [bp + F_CL], al
        ret
.dacget:
        mov     di, dx
        mov     ax, 3
        mul     cx
        mov     cx, ax
        mov     al, bl
        mov     dx, 0x3C7
        out     dx, al
        add     dx, 2
        rep     insb
        ret
.setmask:
        mov     al, bl
        mov     dx, 0x3C6
        out     dx, al
        ret
.getmask:
        mov     dx, 0x3C6
        in      al, dx
        mov     [bp + F_BL], al
        ret
; 1Ah: BL = the paging scheme (0 four pages, 1 sixteen), BH = the current page.
.pagestate:
        mov     al, 0x10
        call    attr_read
        mov     bl, ah
        shr     bl, 7
        mov     al, 0x14
        call    attr_read
        and     ah, 0x0F
        test    bl, bl
        jnz     .ps
        shr     ah, 2
.ps:    mov     [bp + F_BL], bl
        mov     [bp + F_BH], ah
        ret
.grey:  jmp     grey_sum
