; The emu VGA BIOS: an option ROM for QEMU's standard VGA (PCI 1234:1111) with the Bochs VBE
; "DISPI" interface. POST copies it from the expansion ROM BAR to C0000 and far-calls offset 3.
; References: IBM VGA Technical Reference (register values per mode, BIOS data area), IBM PC
; BIOS Interface Technical Reference (INT 10h), VESA BIOS Extension 2.0, PCI Firmware
; Specification 3.0 (5.1: ROM header and PCI data structure), Bochs vbe_display_api (DISPI).
; Build: bios/build.sh (nasm; the last byte is the checksum, patched by the build script).

        bits    16
        cpu     386
        org     0

BDA             equ     0x40
DISPI_INDEX     equ     0x1CE
DISPI_DATA      equ     0x1CF
DI_ID           equ     0
DI_XRES         equ     1
DI_YRES         equ     2
DI_BPP          equ     3
DI_ENABLE       equ     4
DI_BANK         equ     5
DI_VWIDTH       equ     6
DI_VHEIGHT      equ     7
DI_XOFF         equ     8
DI_YOFF         equ     9
DI_MEM64K       equ     10
EN_ON           equ     0x01
EN_DAC8         equ     0x20
EN_LFB          equ     0x40
EN_NOCLEAR      equ     0x80

; INT 10h frame after push ds / push es / pusha (BP points at it)
F_DI    equ     0
F_SI    equ     2
F_BP    equ     4
F_BX    equ     8
F_BL    equ     8
F_BH    equ     9
F_DX    equ     10
F_DL    equ     10
F_DH    equ     11
F_CX    equ     12
F_CL    equ     12
F_CH    equ     13
F_AX    equ     14
F_AL    equ     14
F_AH    equ     15
F_ES    equ     16

; ---------------------------------------------------------------- ROM header
        db      0x55, 0xAA
        db      (rom_end - $$) / 512
        jmp     init
        times   0x18 - ($ - $$) db 0
        dw      pcir                    ; PCI data structure
        dw      0                       ; no PnP expansion header
        times   0x1E - ($ - $$) db 0
        db      "IBM"                   ; where IBM-compatible VGA BIOSes carry it

pcir:   db      "PCIR"
        dw      0x1234, 0x1111          ; vendor, device
        dw      0                       ; device list (PCI FW 3.0): none
        dw      0x18                    ; structure length
        db      0                       ; structure revision
        db      0x00, 0x00, 0x03        ; class code 030000h: VGA-compatible display controller
        dw      (rom_end - $$) / 512    ; image length
        dw      1                       ; revision of the code
        db      0                       ; code type: x86 PC-AT
        db      0x80                    ; last image
        dw      0

signon: db      "emu VGA BIOS 0.1 (standard VGA, VBE 2.0)", 13, 10, 0

; ---------------------------------------------------------------- initialisation
init:   pushad
        push    ds
        push    es
        xor     ax, ax
        mov     ds, ax
        mov     word [0x10 * 4], int10
        mov     [0x10 * 4 + 2], cs
        mov     word [0x43 * 4], font8x16       ; graphics-mode character table
        mov     [0x43 * 4 + 2], cs
        mov     ax, BDA
        mov     ds, ax
        and     byte [0x10], 0xCF               ; equipment: initial video mode 80x25 colour
        or      byte [0x10], 0x20
        mov     ax, 0x0003
        int     0x10
        mov     si, signon
.print: mov     al, [cs:si]
        test    al, al
        jz      .done
        mov     ah, 0x0E
        mov     bx, 0x0007
        int     0x10
        inc     si
        jmp     .print
.done:  pop     es
        pop     ds
        popad
        retf

; ---------------------------------------------------------------- INT 10h
int10:  sti
        cld
        push    ds
        push    es
        pusha
        mov     bp, sp
        push    BDA
        pop     ds
        cmp     ah, 0x4F
        je      .vbe
        cmp     ah, 0x1A
        ja      .out
        movzx   si, ah
        add     si, si
        call    [cs:fn_table + si]
.out:   popa
        pop     es
        pop     ds
        iret
.vbe:   call    vbe
        jmp     .out

fn_table:
        dw      set_mode, set_cursor_shape, set_cursor_pos, get_cursor_pos      ; 00-03
        dw      nothing, set_page, scroll_up, scroll_down                       ; 04-07
        dw      read_char, write_char_attr, write_char, nothing                 ; 08-0B
        dw      write_pixel, read_pixel, teletype, get_mode                     ; 0C-0F
        dw      palette, font_fn, alt_select, write_string                      ; 10-13
        dw      nothing, nothing, nothing, nothing                              ; 14-17
        dw      nothing, nothing, display_combination                           ; 18-1A

nothing:
        ret

; ---------------------------------------------------------------- mode tables
; Per mode: mode, kind (0 text, 1 planar 16 colours, 2 256 colours), columns, rows - 1, character
; height, page size, memory segment, misc output, sequencer 1-4, CRTC 0-18h, attribute 0-13h,
; graphics controller 0-8 (IBM VGA Technical Reference, "BIOS video mode register values").
M_KIND  equ     1
M_COLS  equ     2
M_ROWS  equ     3
M_CHAR  equ     4
M_PAGE  equ     5
M_SEG   equ     7
M_MISC  equ     9
M_SEQ   equ     10
M_CRTC  equ     14
M_ATTR  equ     39
M_GC    equ     59
M_SIZE  equ     68

%define TEXT_ATTR   0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F
%define TEXT_GC     0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x0F, 0xFF
%define PLANAR_GC   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0F, 0xFF
%define CGA_ATTR    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17

mode_table:
        ; 01h: 40x25 text, 9x16 cells (360x400)
        db      0x01, 0, 40, 24, 16
        dw      0x0800, 0xB800
        db      0x67, 0x08, 0x03, 0x00, 0x02
        db      0x2D, 0x27, 0x28, 0x90, 0x2B, 0xA0, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00
        db      0x9C, 0x8E, 0x8F, 0x14, 0x1F, 0x96, 0xB9, 0xA3, 0xFF
        db      TEXT_ATTR, 0x0C, 0x00, 0x0F, 0x08
        db      TEXT_GC
        ; 03h: 80x25 text, 9x16 cells (720x400)
        db      0x03, 0, 80, 24, 16
        dw      0x1000, 0xB800
        db      0x67, 0x00, 0x03, 0x00, 0x02
        db      0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00
        db      0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF
        db      TEXT_ATTR, 0x0C, 0x00, 0x0F, 0x08
        db      TEXT_GC
        ; 0Dh: 320x200, 16 colours
        db      0x0D, 1, 40, 24, 8
        dw      0x2000, 0xA000
        db      0x63, 0x09, 0x0F, 0x00, 0x06
        db      0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80, 0xBF, 0x1F, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db      0x9C, 0x8E, 0x8F, 0x14, 0x00, 0x96, 0xB9, 0xE3, 0xFF
        db      CGA_ATTR, 0x01, 0x00, 0x0F, 0x00
        db      PLANAR_GC
        ; 0Eh: 640x200, 16 colours
        db      0x0E, 1, 80, 24, 8
        dw      0x4000, 0xA000
        db      0x63, 0x01, 0x0F, 0x00, 0x06
        db      0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db      0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xE3, 0xFF
        db      CGA_ATTR, 0x01, 0x00, 0x0F, 0x00
        db      PLANAR_GC
        ; 10h: 640x350, 16 colours
        db      0x10, 1, 80, 24, 14
        dw      0x8000, 0xA000
        db      0xA3, 0x01, 0x0F, 0x00, 0x06
        db      0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db      0x83, 0x85, 0x5D, 0x28, 0x0F, 0x63, 0xBA, 0xE3, 0xFF
        db      TEXT_ATTR, 0x01, 0x00, 0x0F, 0x00
        db      PLANAR_GC
        ; 12h: 640x480, 16 colours
        db      0x12, 1, 80, 29, 16
        dw      0xA000, 0xA000
        db      0xE3, 0x01, 0x0F, 0x00, 0x06
        db      0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0x0B, 0x3E, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db      0xEA, 0x8C, 0xDF, 0x28, 0x00, 0xE7, 0x04, 0xE3, 0xFF
        db      TEXT_ATTR, 0x01, 0x00, 0x0F, 0x00
        db      PLANAR_GC
        ; 13h: 320x200, 256 colours
        db      0x13, 2, 40, 24, 8
        dw      0x0000, 0xA000
        db      0x63, 0x01, 0x0F, 0x00, 0x0E
        db      0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
        db      0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF
        db      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
        db      0x41, 0x00, 0x0F, 0x00
        db      0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
mode_table_end:

; find_mode: AL = mode (00h/02h alias 01h/03h, the grey-scale difference being CGA's); out:
; SI = entry, CF set if unsupported.
find_mode:
        cmp     al, 0x00
        jne     .n2
        mov     al, 0x01
.n2:    cmp     al, 0x02
        jne     .look
        mov     al, 0x03
.look:  mov     si, mode_table
.next:  cmp     [cs:si], al
        je      .found
        add     si, M_SIZE
        cmp     si, mode_table_end
        jb      .next
        stc
        ret
.found: clc
        ret

; cur_mode: SI = the current mode's entry (CF if none, as after a VBE mode set).
cur_mode:
        mov     al, [0x49]
        jmp     find_mode

; ---------------------------------------------------------------- 00h: set mode
set_mode:
        mov     ah, al
        and     al, 0x7F
        push    ax
        call    find_mode
        pop     ax
        jc      .ret
        mov     bh, ah                  ; keep bit 7 (do not clear)
        push    bx
        mov     al, DI_ENABLE           ; leave any VBE mode (Bochs DISPI)
        xor     bx, bx
        call    dispi_write
        pop     bx
        call    load_registers
        cmp     byte [cs:si + M_KIND], 2
        je      .pal256
        call    load_ega_palette
        jmp     .font
.pal256:
        call    load_256_palette
.font:  cmp     byte [cs:si + M_KIND], 0
        jne     .clear
        push    bx
        xor     bl, bl
        mov     bh, 16
        mov     cx, 256
        xor     dx, dx
        push    cs
        pop     es
        mov     di, font8x16
        call    load_font
        pop     bx
.clear: test    bh, 0x80
        jnz     .bda
        mov     es, [cs:si + M_SEG]
        xor     di, di
        mov     cx, 0x4000
        xor     ax, ax
        cmp     byte [cs:si + M_KIND], 0
        jne     .fill
        mov     ax, 0x0720
.fill:  rep     stosw
        cmp     byte [cs:si + M_KIND], 0
        je      .bda
        mov     cx, 0x4000              ; graphics: all 64 KiB of the window
        rep     stosw
.bda:   mov     al, [cs:si]
        mov     [0x49], al
        movzx   ax, byte [cs:si + M_COLS]
        mov     [0x4A], ax
        mov     ax, [cs:si + M_PAGE]
        mov     [0x4C], ax
        xor     ax, ax
        mov     [0x4E], ax
        mov     [0x62], al
        push    ds
        pop     es
        mov     di, 0x50
        mov     cx, 8
        rep     stosw
        mov     word [0x60], 0x0607
        mov     word [0x63], 0x3D4
        mov     byte [0x65], 0x29
        mov     byte [0x66], 0x30
        mov     al, [cs:si + M_ROWS]
        mov     [0x84], al
        movzx   ax, byte [cs:si + M_CHAR]
        mov     [0x85], ax
        mov     al, bh
        and     al, 0x80
        or      al, 0x60                ; 256 KiB; bit 7: the last mode set kept memory
        mov     [0x87], al
        mov     byte [0x88], 0xF9
        mov     byte [0x89], 0x51       ; VGA active, 400-line text, default palette loading
        mov     byte [0x8A], 0x08
.ret:   ret

; load_registers: programs misc, sequencer, CRTC, attribute and graphics controllers from the
; mode entry at CS:SI (IBM VGA Technical Reference: sequencer held in synchronous reset while
; the clock changes; CR11 bit 7 cleared before CR00-07 are written).
load_registers:
        push    si
        mov     dx, 0x3C4
        mov     ax, 0x0100
        out     dx, ax
        mov     ah, 1
        lea     di, [si + M_SEQ]
.seq:   mov     al, ah
        out     dx, al
        inc     dx
        mov     al, [cs:di]
        out     dx, al
        dec     dx
        inc     di
        inc     ah
        cmp     ah, 5
        jb      .seq
        mov     al, [cs:si + M_MISC]
        mov     dx, 0x3C2
        out     dx, al
        mov     dx, 0x3C4
        mov     ax, 0x0300
        out     dx, ax
        mov     dx, 0x3D4
        mov     ax, 0x0011
        out     dx, ax
        lea     di, [si + M_CRTC]
        xor     ah, ah
.crtc:  mov     al, ah
        out     dx, al
        inc     dx
        mov     al, [cs:di]
        out     dx, al
        dec     dx
        inc     di
        inc     ah
        cmp     ah, 0x19
        jb      .crtc
        mov     dx, 0x3DA
        in      al, dx
        mov     dx, 0x3C0
        lea     di, [si + M_ATTR]
        xor     ah, ah
.attr:  mov     al, ah
        out     dx, al
        mov     al, [cs:di]
        out     dx, al
        inc     di
        inc     ah
        cmp     ah, 0x14
        jb      .attr
        mov     al, 0x14                ; colour select
        out     dx, al
        xor     al, al
        out     dx, al
        mov     al, 0x20                ; palette address source: video on
        out     dx, al
        mov     dx, 0x3CE
        lea     di, [si + M_GC]
        xor     ah, ah
.gc:    mov     al, ah
        out     dx, al
        inc     dx
        mov     al, [cs:di]
        out     dx, al
        dec     dx
        inc     di
        inc     ah
        cmp     ah, 9
        jb      .gc
        mov     dx, 0x3C6
        mov     al, 0xFF
        out     dx, al
        pop     si
        ret

; load_ega_palette: DAC 0-63 as the EGA's 6-bit rgbRGB colours (primary bits 2/3, secondary
; 1/3 intensity), what the text and 16-colour modes' attribute palettes index.
load_ega_palette:
        pusha
        mov     dx, 0x3C8
        xor     al, al
        out     dx, al
        inc     dx
        xor     bl, bl
.each:  mov     cx, 0x2004
        call    .comp
        mov     cx, 0x1002
        call    .comp
        mov     cx, 0x0801
        call    .comp
        inc     bl
        cmp     bl, 64
        jb      .each
        popa
        ret
.comp:  xor     al, al
        test    bl, cl
        jz      .c1
        add     al, 0x2A
.c1:    test    bl, ch
        jz      .c2
        add     al, 0x15
.c2:    out     dx, al
        ret

; load_256_palette: mode 13h's first 32 DAC entries as IBM's: the 16 CGA colours and a
; 16-step grey ramp. Entries 32-255 (IBM's hue/saturation table) are set black.
load_256_palette:
        pusha
        mov     dx, 0x3C8
        xor     al, al
        out     dx, al
        inc     dx
        xor     bl, bl
.cga:   mov     bh, bl                  ; CGA IRGB to EGA rgbRGB; colour 6 is brown (rgbRGB 010100)
        and     bh, 7
        test    bl, 8
        jz      .lo
        or      bh, 0x38
.lo:    cmp     bl, 6
        jne     .c
        mov     bh, 0x14
.c:     push    bx
        mov     bl, bh
        mov     cx, 0x2004
        call    load_ega_palette.comp
        mov     cx, 0x1002
        call    load_ega_palette.comp
        mov     cx, 0x0801
        call    load_ega_palette.comp
        pop     bx
        inc     bl
        cmp     bl, 16
        jb      .cga
        mov     si, grey_ramp
        mov     cx, 16
.grey:  mov     al, [cs:si]
        out     dx, al
        out     dx, al
        out     dx, al
        inc     si
        loop    .grey
        mov     cx, (256 - 32) * 3
        xor     al, al
.black: out     dx, al
        loop    .black
        popa
        ret

grey_ramp:
        db      0x00, 0x05, 0x08, 0x0B, 0x0E, 0x11, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28, 0x2D, 0x32, 0x38, 0x3F

; load_font: ES:DI glyphs, BH bytes each, CX glyphs from DX, into character map block BL
; (0-7) of plane 2 (32 bytes a glyph; blocks at 0/16/32/48 KiB, 4-7 at 8/24/40/56 KiB).
; Maps plane 2 at A0000 for the copy, then restores text-mode addressing.
load_font:
        push    ds
        push    si
        push    es
        pop     ds
        mov     si, di
        push    dx
        mov     dx, 0x3C4
        mov     ax, 0x0402              ; map mask: plane 2
        out     dx, ax
        mov     ax, 0x0704              ; memory mode: extended memory, sequential
        out     dx, ax
        mov     dx, 0x3CE
        mov     ax, 0x0204              ; read map 2
        out     dx, ax
        mov     ax, 0x0005
        out     dx, ax
        mov     ax, 0x0406              ; A0000-AFFFF, graphics off
        out     dx, ax
        pop     dx
        mov     ax, 0xA000
        mov     es, ax
        movzx   di, bl
        and     di, 7
        mov     ax, di
        and     di, 3
        shl     di, 14                  ; block 0-3 at 16 KiB steps
        test    al, 4
        jz      .blk
        add     di, 0x2000              ; 4-7 in the second half
.blk:   shl     dx, 5
        add     di, dx
        jcxz    .done
.glyph: push    cx
        movzx   cx, bh
        rep     movsb
        mov     cl, 32
        sub     cl, bh
        jbe     .full
        xor     al, al
        rep     stosb
.full:  pop     cx
        loop    .glyph
.done:  mov     dx, 0x3C4
        mov     ax, 0x0302
        out     dx, ax
        mov     ax, 0x0204
        out     dx, ax
        mov     dx, 0x3CE
        mov     ax, 0x0004
        out     dx, ax
        mov     ax, 0x1005
        out     dx, ax
        mov     ax, 0x0E06
        out     dx, ax
        pop     si
        pop     ds
        ret

; ---------------------------------------------------------------- cursor and pages
; 01h: CH start, CL end line. Stored as given in 40:60; in 16-line text the CGA-style lines
; 0-7 are scaled (line n becomes 2n+1 for the start, 2n for the end, so 0607h is 0D-0Eh).
set_cursor_shape:
        mov     [0x60], cx
        mov     ah, ch
        mov     al, cl
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
.prog:  mov     dx, 0x3D4
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
        mov     dx, 0x3D4
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

; 05h: AL page.
set_page:
        and     al, 7
        mov     [0x62], al
        movzx   ax, al
        mul     word [0x4C]
        mov     [0x4E], ax
        mov     bx, ax
        call    cur_mode
        jc      .cur
        cmp     byte [cs:si + M_KIND], 0
        jne     .start
        shr     bx, 1                   ; text: the CRTC counts character cells
.start: mov     dx, 0x3D4
        mov     al, 0x0C
        mov     ah, bh
        out     dx, ax
        mov     al, 0x0D
        mov     ah, bl
        out     dx, ax
.cur:   call    update_cursor
        ret

; ---------------------------------------------------------------- text cells
; cell_addr: ES:DI = the cell at row DH, column DL of page BH (text modes).
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
        mov     es, ax
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
; filling with attribute BH. Text modes; graphics modes are not scrolled.
scroll_up:
        xor     ah, ah
        jmp     scroll
scroll_down:
        mov     ah, 1
; scroll: AH 0 up / 1 down, AL lines, BH attribute, CX top left, DX bottom right.
scroll:
        pusha
        push    ax
        call    cur_mode
        pop     ax
        jc      .ret
        cmp     byte [cs:si + M_KIND], 0
        jne     .ret
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
.n:     movzx   si, al
        test    ah, ah
        jnz     .down
        mov     bl, ch                  ; up: each row from the row n below
.up:    mov     ax, si
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
        sub     ax, si
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
; with attribute BH when AL is past DH.
scroll_row:
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

; 08h: AX = character and attribute at the cursor of page BH.
read_char:
        call    cur_mode
        jc      .ret
        cmp     byte [cs:si + M_KIND], 0
        jne     .ret
        call    page_cursor
        call    cell_addr
        mov     ax, [es:di]
        mov     [bp + F_AX], ax
.ret:   ret

; 09h/0Ah: CX copies of AL (with attribute BL for 09h) at the cursor of page BH; the cursor
; does not move. Graphics modes draw the glyph in colour BL.
write_char_attr:
        mov     ah, 1
        jmp     write_chars
write_char:
        xor     ah, ah
write_chars:
        push    ax
        call    cur_mode
        pop     ax
        jc      .ret
        call    page_cursor
        cmp     byte [cs:si + M_KIND], 0
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
        loop    .g
        ret

; draw_glyph: character AL in colour BL at row DH, column DL of the current graphics mode (CS:SI
; its entry), from the 8x16 font (line n of an h-line cell is font line 16n/h). Background 0.
draw_glyph:
        pusha
        movzx   di, al
        shl     di, 4
        add     di, font8x16            ; CS:DI glyph
        movzx   ax, dh
        mul     byte [cs:si + M_CHAR]
        mov     dh, 0
        shl     dx, 3                   ; DX = x0
        xchg    ax, dx                  ; AX = x0, DX = y0
        xor     cx, cx                  ; CX = line
.line:  push    ax
        push    dx
        mov     ax, cx
        shl     ax, 4
        div     byte [cs:si + M_CHAR]   ; AL = font line
        movzx   ax, al
        push    di
        add     di, ax
        mov     bh, [cs:di]             ; glyph bits, MSB left
        pop     di
        pop     dx
        pop     ax
        push    cx
        push    dx
        add     dx, cx                  ; y
        mov     cx, ax                  ; x
.px:    xor     al, al
        shl     bh, 1
        jnc     .put
        mov     al, bl
.put:   call    put_pixel
        inc     cx
        test    cx, 7
        jnz     .px
        sub     cx, 8
        mov     ax, cx
        pop     dx
        pop     cx
        inc     cx
        cmp     cl, [cs:si + M_CHAR]
        jb      .line
        popa
        ret

; put_pixel: colour AL (bit 7: XOR, planar modes) at CX, DX in the graphics mode of CS:SI.
put_pixel:
        pusha
        push    es
        mov     bx, 0xA000
        mov     es, bx
        mov     bl, al
        cmp     byte [cs:si + M_KIND], 0
        je      .done
        cmp     byte [cs:si + M_KIND], 2
        jne     .planar
        mov     ax, 320
        mul     dx
        add     ax, cx
        mov     di, ax
        mov     [es:di], bl
        jmp     .done
.planar:
        call    planar_addr
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
        mov     ax, 0xFF08
        out     dx, ax
        mov     ax, 0x0005
        out     dx, ax
        mov     ax, 0x0003
        out     dx, ax
.done:  pop     es
        popa
        ret

; planar_addr: DI = the byte of pixel CX, DX (mode CS:SI), AH = its bit.
planar_addr:
        push    cx
        movzx   ax, byte [cs:si + M_COLS] ; bytes per line = columns of 8 pixels
        mul     dx
        pop     cx
        mov     di, cx
        shr     di, 3
        add     di, ax
        and     cl, 7
        mov     ah, 0x80
        shr     ah, cl
        ret

; 0Ch: write pixel AL at CX, DX.
write_pixel:
        call    cur_mode
        jc      .ret
        mov     al, [bp + F_AL]
        call    put_pixel
.ret:   ret

; 0Dh: AL = the pixel at CX, DX.
read_pixel:
        call    cur_mode
        jc      .ret
        mov     bx, 0xA000
        mov     es, bx
        cmp     byte [cs:si + M_KIND], 2
        je      .lin
        cmp     byte [cs:si + M_KIND], 1
        jne     .ret
        call    planar_addr
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
.lin:   mov     ax, 320
        mul     dx
        add     ax, cx
        mov     di, ax
        mov     al, [es:di]
        mov     [bp + F_AL], al
.ret:   ret

; 0Eh: teletype AL on the active page; BL is the colour in graphics modes.
teletype:
        mov     bh, [0x62]
        xor     ah, ah
        jmp     tty

; tty: character AL to page BH at its cursor; AH 1: with attribute BL (text), 0: keep the
; cell's attribute. BEL, BS, CR and LF act; the screen scrolls up at the bottom (text).
tty:
        pusha
        push    es
        push    ax
        call    cur_mode
        pop     ax
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
        cmp     byte [cs:si + M_KIND], 0
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
        mov     bh, [0x62]
        call    cell_addr
        mov     bh, [es:di + 1]         ; the new line takes the attribute under the cursor
        mov     ax, 0x0001
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

; ---------------------------------------------------------------- 10h: palette and DAC
; attr_write: attribute controller register AL = AH. attr_read: AH = register AL.
attr_write:
        push    dx
        push    ax
        mov     dx, 0x3DA               ; reset the index/data flip-flop
        in      al, dx
        pop     ax
        push    ax
        mov     dx, 0x3C0
        out     dx, al
        mov     al, ah
        out     dx, al
        mov     al, 0x20                ; palette address source: video back on
        out     dx, al
        pop     ax
        pop     dx
        ret
attr_read:
        push    dx
        push    bx
        mov     bl, al
        mov     dx, 0x3DA
        in      al, dx
        mov     dx, 0x3C0
        mov     al, bl
        out     dx, al
        inc     dx
        in      al, dx
        mov     bh, al
        mov     dx, 0x3DA
        in      al, dx
        mov     dx, 0x3C0
        mov     al, 0x20
        out     dx, al
        mov     ax, bx
        pop     bx
        pop     dx
        ret

palette:
        cmp     al, 0x00
        je      .set1
        cmp     al, 0x01
        je      .border
        cmp     al, 0x02
        je      .setall
        cmp     al, 0x03
        je      .blink
        cmp     al, 0x07
        je      .get1
        cmp     al, 0x08
        je      .getborder
        cmp     al, 0x09
        je      .getall
        cmp     al, 0x10
        je      .dac1
        cmp     al, 0x12
        je      .dacset
        cmp     al, 0x15
        je      .dacget1
        cmp     al, 0x17
        je      .dacget
        ret
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
.blink: mov     al, 0x10
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
        mov     al, bl
        mov     dx, 0x3C8
        out     dx, al
        inc     dx
        jcxz    .r
        mov     ax, 3
        mul     cx
        mov     cx, ax
        push    ds
        push    es
        pop     ds
        rep     outsb
        pop     ds
        ret
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
        mov     al, bl
        mov     dx, 0x3C7
        out     dx, al
        add     dx, 2
        jcxz    .r
        mov     ax, 3
        mul     cx
        mov     cx, ax
        rep     insb
        ret

; ---------------------------------------------------------------- 11h: fonts
font_fn:
        cmp     al, 0x30
        je      .info
        cmp     al, 0x03
        je      .select
        mov     ah, al
        and     ah, 0xEF                ; 1xh: as 0xh, then the rows follow the font height
        cmp     ah, 0x00
        je      .user
        cmp     ah, 0x04
        je      .rom16
        ret
.select:
        mov     dx, 0x3C4
        mov     al, 0x03
        mov     ah, bl
        out     dx, ax
        ret
.user:  mov     di, [bp + F_BP]
        jmp     .load
.rom16: push    cs
        pop     es
        mov     di, font8x16
        mov     bh, 16
        mov     cx, 256
        xor     dx, dx
.load:  push    ax
        call    load_font
        pop     ax
        test    al, 0x10
        jz      .r
        mov     al, bh                  ; character height: CRTC max scan line, BDA rows
        dec     al
        and     al, 0x1F
        mov     dx, 0x3D4
        mov     ah, al
        mov     al, 0x09
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 0xE0
        or      ah, al
        dec     dx
        mov     al, 0x09
        out     dx, ax
        movzx   cx, bh
        jcxz    .r
        mov     [0x85], cx
        mov     ax, 400
        xor     dx, dx
        div     cx
        dec     al
        mov     [0x84], al
.r:     ret
.info:  xor     ax, ax
        mov     es, ax
        cmp     bh, 0
        je      .vec1f
        cmp     bh, 1
        je      .vec43
        cmp     bh, 6
        je      .f16
        cmp     bh, 7
        je      .alt
        cmp     bh, 5
        je      .alt
        xor     ax, ax                  ; 8x14 and 8x8 tables: this BIOS has none
        xor     bx, bx
        jmp     .ptr
.vec1f: les     bx, [es:0x1F * 4]
        mov     ax, es
        jmp     .ptr
.vec43: les     bx, [es:0x43 * 4]
        mov     ax, es
        jmp     .ptr
.f16:   mov     ax, cs
        mov     bx, font8x16
        jmp     .ptr
.alt:   mov     ax, cs
        mov     bx, no_alternates
.ptr:   mov     [bp + F_ES], ax
        mov     [bp + F_BP], bx
        mov     ax, [0x85]
        mov     [bp + F_CX], ax
        mov     al, [0x84]
        mov     [bp + F_DL], al
        ret

no_alternates:
        db      0                       ; 9-dot alternate glyph table: empty

; ---------------------------------------------------------------- 12h, 13h, 1Ah
alt_select:
        cmp     bl, 0x10
        je      .info
        cmp     bl, 0x36
        je      .refresh
        ret
.info:  mov     word [bp + F_BX], 0x0003 ; colour, 256 KiB
        mov     al, [0x88]
        mov     ah, al
        shr     ah, 4                   ; CH feature bits, CL switch settings
        and     al, 0x0F
        mov     [bp + F_CL], al
        mov     [bp + F_CH], ah
        ret
.refresh:
        cmp     al, 1
        ja      .ret
        mov     ah, al
        shl     ah, 5                   ; sequencer clocking mode bit 5: screen off
        mov     dx, 0x3C4
        mov     al, 0x01
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 0xDF
        or      al, ah
        out     dx, al
        mov     byte [bp + F_AL], 0x12
.ret:   ret

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

; 1Ah: display combination: AL=00h gets BX = 0008h (VGA with analogue colour display).
display_combination:
        cmp     al, 1
        ja      .ret
        mov     byte [bp + F_AL], 0x1A
        test    al, al
        jnz     .ret
        mov     word [bp + F_BX], 0x0008
.ret:   ret

%include "vbe.asm"

font8x16:
%include "font8x16.inc"

        times   ((($ - $$) + 1 + 2047) / 2048) * 2048 - ($ - $$) - 1 db 0
        db      0                       ; checksum: patched by build.sh
rom_end:
