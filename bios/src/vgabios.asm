; The emu VGA BIOS: an option ROM for QEMU's standard VGA (PCI 1234:1111) with the Bochs VBE
; "DISPI" interface. POST copies it from the expansion ROM BAR to C0000 and far-calls offset 3.
; References: IBM VGA Technical Reference (register values per mode, BIOS data area, default
; DAC tables), IBM PC BIOS Interface Technical Reference (INT 10h), VESA BIOS Extension Core
; Functions 3.0, PCI Firmware Specification 3.0 (5.1: ROM header and PCI data structure),
; Bochs vbe_display_api (DISPI).
; Build: bios/build.sh (nasm; the last byte is the checksum, patched by the build script).
; Files: this one (header, dispatch, mode set), vgatext.asm (cursor, pages, scroll, characters,
; teletype), vgagfx.asm (graphics pixels and glyphs), vgapal.asm (10h), vgafont.asm (11h),
; vgastate.asm (12h, 1Ah, 1Bh, 1Ch), vgaprtsc.asm (12h BL=20h: INT 05h), vbe.asm (4Fxxh), font8x*.inc (gen_font.py).

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

signon: db      "emu VGA BIOS 0.2 (standard VGA, VBE 3.0)", 13, 10, 0

; ---------------------------------------------------------------- initialisation
init:   pushad
        push    ds
        push    es
        xor     ax, ax
        mov     ds, ax
        mov     word [0x10 * 4], int10
        mov     [0x10 * 4 + 2], cs
        mov     word [0x43 * 4], font8x8        ; graphics characters (CGA: 00h-7Fh)
        mov     [0x43 * 4 + 2], cs
        mov     word [0x1F * 4], font8x8 + 128 * 8 ; CGA graphics characters 80h-FFh
        mov     [0x1F * 4 + 2], cs
        mov     ax, BDA
        mov     ds, ax
        and     byte [0x10], 0xCF               ; equipment: initial video mode 80x25 colour
        or      byte [0x10], 0x20
        mov     byte [0x87], 0x60               ; 256 KiB, cursor emulation on
        mov     byte [0x88], 0xF9               ; feature/switch settings of a VGA on a colour display
        mov     byte [0x89], 0x11               ; VGA active, 400-line text (no display switching: 12h BL=35h)
        mov     byte [0x8A], 0x08               ; display combination: VGA with colour analogue display
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
        cmp     ah, 0x1C
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
        dw      light_pen, set_page, scroll_up, scroll_down                     ; 04-07
        dw      read_char, write_char_attr, write_char, cga_palette             ; 08-0B
        dw      write_pixel, read_pixel, teletype, get_mode                     ; 0C-0F
        dw      palette, font_fn, alt_select, write_string                      ; 10-13
        dw      nothing, nothing, nothing, nothing                              ; 14-17
        dw      nothing, nothing, display_combination, func_state               ; 18-1B
        dw      save_restore                                                    ; 1C

nothing:
        ret

; 04h: light pen position: the VGA has no light pen input, so never triggered (AH = 0).
light_pen:
        mov     byte [bp + F_AH], 0
        ret

; ---------------------------------------------------------------- mode tables
; Per mode: mode, kind, columns, rows - 1, character height, page size, memory segment, misc
; output, sequencer 1-4, CRTC 0-18h, attribute 0-13h, graphics controller 0-8 (IBM VGA
; Technical Reference, "BIOS video mode register values"), DAC table.
K_TEXT  equ     0                       ; alphanumeric
K_PLAN  equ     1                       ; planar 16 colours (0Dh-12h)
K_256   equ     2                       ; 256 colours chained (13h)
K_CGA4  equ     3                       ; CGA 4 colours, 2 bits a pixel, interleaved banks (04h/05h)
K_CGA2  equ     4                       ; CGA 2 colours, 1 bit a pixel, interleaved banks (06h)
D_MONO  equ     0
D_CGA   equ     1
D_EGA   equ     2
D_256   equ     3
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
M_DAC   equ     68
M_SIZE  equ     69

; CRTC 00h-05h, horizontal timing: text (9-dot cells) and graphics, 40 and 80 columns.
%define HT_T40  0x2D, 0x27, 0x28, 0x90, 0x2B, 0xA0
%define HT_T80  0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81
%define HT_G40  0x2D, 0x27, 0x28, 0x90, 0x2B, 0x80
%define HT_G80  0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80
; Vertical timing by scan lines shown (200-line modes are double-scanned to 400): CRTC 06h-07h
; (total, overflow), 10h-12h (retrace start and end, display end), 15h-16h (blanking).
%define VT_400  0xBF, 0x1F
%define VR_400  0x9C, 0x8E, 0x8F
%define VB_400  0x96, 0xB9
%define VT_350  0xBF, 0x1F
%define VR_350  0x83, 0x85, 0x5D
%define VB_350  0x63, 0xBA
%define VT_480  0x0B, 0x3E
%define VR_480  0xEA, 0x8C, 0xDF
%define VB_480  0xE7, 0x04
; Graphics modes' underline location (CR14) by scan lines: the IBM tables set 0Fh in the 350-line modes.
%define UL_400  0x00
%define UL_350  0x0F
%define UL_480  0x00
; Attribute palettes 00h-0Fh: EGA colours (brown at 6), CGA colours, MDA text (normal,
; bright), monochrome graphics (video plane 0, intensity plane 2), and black and white.
%define PAL_EGA     0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F
%define PAL_CGA     0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
%define PAL_MDA     0x00, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x10, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18, 0x18
%define PAL_MONOG   0x00, 0x08, 0x00, 0x00, 0x18, 0x18, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00
%define PAL_BW      0x00, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F
%define PAL_CGA4    0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17
%define PAL_CGA2    0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17

; The head of an entry: mode, kind, columns, rows - 1, character height, page size, segment,
; misc output, sequencer 01h-04h (clocking, map mask, character map, memory mode).
%macro MODE_HEAD 12
        db      %1, %2, %3, %4, %5
        dw      %6, %7
        db      %8, %9, %10, %11, %12
%endmacro

; TEXT_MODE mode, columns, page size, segment, misc, clocking, horizontal timing, offset (CR13),
; underline location (CR14), palette, attribute mode control, graphics miscellaneous (GR06:
; memory map B8000 or B0000), DAC table. 400 scan lines of 9x16 cells, cursor on lines 13-14,
; odd/even addressing (sequencer 04h 02h, GR05 10h).
%macro TEXT_MODE 13
        MODE_HEAD %1, K_TEXT, %2, 24, 16, %3, %4, %5, %6, 0x03, 0x00, 0x02
        db      HT_%7, VT_400, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, VR_400, %8, %9, VB_400, 0xA3, 0xFF
        db      PAL_%10, %11, 0x00, 0x0F, 0x08
        db      0x00, 0x00, 0x00, 0x00, 0x00, 0x10, %12, 0x0F, 0xFF
        db      %13
%endmacro

; CGA_MODE mode, kind, columns, clocking, map mask, memory mode, horizontal timing, offset, CRTC
; mode control, palette, colour plane enable, GR05 (graphics mode), GR06. 200 double-scanned lines
; at B800, interleaved banks: the CRTC's row scan bit 0 selects the bank (CR17 bit 0 clear).
%macro CGA_MODE 13
        MODE_HEAD %1, %2, %3, 24, 8, 0x4000, 0xB800, 0x63, %4, %5, 0x00, %6
        db      HT_%7, VT_400, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, VR_400, %8, 0x00, VB_400, %9, 0xFF
        db      PAL_%10, 0x01, 0x00, %11, 0x00
        db      0x00, 0x00, 0x00, 0x00, 0x00, %12, %13, 0x0F, 0xFF
        db      D_CGA
%endmacro

; PLANAR_MODE mode, columns, rows - 1, character height, page size, misc, clocking, horizontal
; timing, scan lines, maximum scan line (CR09: double scan for 200 lines), offset, palette,
; attribute mode control, planes (attribute colour plane enable and GR07 colour don't care),
; DAC table. Four planes at A000, sequential addressing, graphics controller write mode 0.
%macro PLANAR_MODE 15
        MODE_HEAD %1, K_PLAN, %2, %3, %4, %5, 0xA000, %6, %7, 0x0F, 0x00, 0x06
        db      HT_%8, VT_%9, 0x00, %10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, VR_%9, %11, UL_%9, VB_%9, 0xE3, 0xFF
        db      PAL_%12, %13, 0x00, %14, 0x00
        db      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, %14, 0xFF
        db      %15
%endmacro

mode_table:
        ; 01h (and 00h): 40x25 text, 9x16 cells (360x400)
        TEXT_MODE 0x01, 40, 0x0800, 0xB800, 0x67, 0x08, T40, 0x14, 0x1F, EGA, 0x0C, 0x0E, D_EGA
        ; 03h (and 02h): 80x25 text, 9x16 cells (720x400)
        TEXT_MODE 0x03, 80, 0x1000, 0xB800, 0x67, 0x00, T80, 0x28, 0x1F, EGA, 0x0C, 0x0E, D_EGA
        ; 04h (and 05h): 320x200, 4 colours, CGA-compatible: odd/even planes 0/1, the shift
        ; register's interleave mode (GR05 bit 5) and the CRTC's bank select from row scan bit 0
        ; (CR17 bit 0 clear) put even lines at B8000 and odd lines at BA000.
        CGA_MODE 0x04, K_CGA4, 40, 0x09, 0x03, 0x02, G40, 0x14, 0xA2, CGA4, 0x03, 0x30, 0x0F
        ; 06h: 640x200, 2 colours, 1 bit a pixel in plane 0 (sequential addressing), banks as 04h
        CGA_MODE 0x06, K_CGA2, 80, 0x01, 0x01, 0x06, G80, 0x28, 0xC2, CGA2, 0x01, 0x00, 0x0D
        ; 07h: 80x25 monochrome text at B0000, 9x16 cells: the CRTC at 3B4h (misc bit 0 clear),
        ; attribute palette of the MDA's black/normal/bright, underline on line 15 (CR14)
        TEXT_MODE 0x07, 80, 0x1000, 0xB000, 0x66, 0x00, T80, 0x28, 0x0F, MDA, 0x0E, 0x0A, D_MONO
        ; 0Dh: 320x200, 16 colours
        PLANAR_MODE 0x0D, 40, 24, 8, 0x2000, 0x63, 0x09, G40, 400, 0xC0, 0x14, CGA, 0x01, 0x0F, D_CGA
        ; 0Eh: 640x200, 16 colours
        PLANAR_MODE 0x0E, 80, 24, 8, 0x4000, 0x63, 0x01, G80, 400, 0xC0, 0x28, CGA, 0x01, 0x0F, D_CGA
        ; 0Fh: 640x350 monochrome graphics: planes 0 (video) and 2 (intensity), CRTC at 3B4h
        PLANAR_MODE 0x0F, 80, 24, 14, 0x8000, 0xA2, 0x01, G80, 350, 0x40, 0x28, MONOG, 0x0B, 0x05, D_MONO
        ; 10h: 640x350, 16 colours
        PLANAR_MODE 0x10, 80, 24, 14, 0x8000, 0xA3, 0x01, G80, 350, 0x40, 0x28, EGA, 0x01, 0x0F, D_EGA
        ; 11h: 640x480, 2 colours (every palette entry but 0 white)
        PLANAR_MODE 0x11, 80, 29, 16, 0xA000, 0xE3, 0x01, G80, 480, 0x40, 0x28, BW, 0x01, 0x0F, D_EGA
        ; 12h: 640x480, 16 colours
        PLANAR_MODE 0x12, 80, 29, 16, 0xA000, 0xE3, 0x01, G80, 480, 0x40, 0x28, EGA, 0x01, 0x0F, D_EGA
        ; 13h: 320x200, 256 colours: chain-4 (sequencer 04h 0Eh), the attribute controller's
        ; 8-bit colour (10h bit 6) and GR05's 256-colour shift (bit 6)
        MODE_HEAD 0x13, K_256, 40, 24, 8, 0xFA00, 0xA000, 0x63, 0x01, 0x0F, 0x00, 0x0E
        db      HT_G80, VT_400, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, VR_400, 0x28, 0x40, VB_400, 0xA3, 0xFF
        db      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
        db      0x41, 0x00, 0x0F, 0x00
        db      0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
        db      D_256
mode_table_end:

; find_mode: AL = mode; out: SI = entry, CF set if unsupported. 00h, 02h and 05h share the
; registers of 01h, 03h and 04h: they differ on a CGA only by the colour burst.
find_mode:
        push    ax
        cmp     al, 0x00
        je      .inc
        cmp     al, 0x02
        jne     .n5
.inc:   inc     al
.n5:    cmp     al, 0x05
        jne     .look
        dec     al
.look:  mov     si, mode_table
.next:  cmp     [cs:si], al
        je      .found
        add     si, M_SIZE
        cmp     si, mode_table_end
        jb      .next
        pop     ax
        stc
        ret
.found: pop     ax
        clc
        ret

; cur_mode: SI = the current mode's entry (CF if none, as after a VBE mode set).
cur_mode:
        push    ax
        mov     al, [0x49]
        call    find_mode
        pop     ax
        ret

; crtc_port: DX = the CRTC index port of the current mode (40:63).
crtc_port:
        mov     dx, [0x63]
        ret

; ---------------------------------------------------------------- 00h: set mode
; AL = mode, bit 7: keep video memory. Register values, DAC, font, BDA fields and the graphics
; character vector (INT 43h) as the IBM VGA BIOS sets them.
set_mode:
        mov     bl, al
        and     bl, 0x7F                ; BL = the mode
        mov     bh, al                  ; BH bit 7: keep memory
        mov     al, bl
        call    find_mode
        jc      .ret
        mov     [0x49], bl              ; first: load_font maps the text window by it
        push    bx
        mov     al, DI_ENABLE           ; leave any VBE mode (Bochs DISPI)
        xor     bx, bx
        call    dispi_write
        pop     bx
        ; equipment list bits 4-5 (INT 11h): 11b monochrome 80x25, 10b colour 80x25
        and     byte [0x10], 0xCF
        or      byte [0x10], 0x20
        test    byte [cs:si + M_MISC], 1
        jnz     .regs
        or      byte [0x10], 0x30
.regs:  call    load_registers
        test    byte [0x89], 0x08       ; 12h BL=31h: default palette loading off
        jnz     .font
        call    load_dac
.font:  mov     al, [cs:si + M_CHAR]
        mov     [0x85], al
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .clear
        push    bx
        call    text_lines              ; 12h BL=30h: 200/350/400 lines; BH, ES:DI the font
        mov     [0x85], bh
        xor     bl, bl
        mov     cx, 256
        xor     dx, dx
        call    load_font
        pop     bx
.clear: test    bh, 0x80
        jnz     .bda
        mov     es, [cs:si + M_SEG]
        xor     di, di
        mov     cx, 0x4000              ; 32 KiB: B0000/B8000 windows
        xor     ax, ax
        cmp     byte [cs:si + M_KIND], K_TEXT
        jne     .fill
        mov     ax, 0x0720
.fill:  rep     stosw
        cmp     word [cs:si + M_SEG], 0xA000
        jne     .bda
        mov     cx, 0x4000              ; A0000: all 64 KiB of the window
        rep     stosw
.bda:   movzx   ax, byte [cs:si + M_COLS]
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
        mov     word [0x60], 0x0607     ; CGA-style cursor lines 6-7 (emulated, see 01h)
        mov     word [0x63], 0x3D4
        test    byte [cs:si + M_MISC], 1
        jnz     .port
        mov     word [0x63], 0x3B4
.port:  movzx   di, bl                  ; CGA mode control and palette registers' values
        cmp     di, 7
        jbe     .cga
        mov     di, 3
.cga:   mov     al, [cs:cga_mode_reg + di]
        mov     [0x65], al
        mov     byte [0x66], 0x30
        cmp     bl, 6
        jne     .rows
        mov     byte [0x66], 0x3F
.rows:  mov     al, [cs:si + M_ROWS]
        mov     [0x84], al
        mov     byte [0x86], 0          ; 40:85 is a word: the height set above
        mov     al, bh
        and     al, 0x80                ; bit 7: the last mode set kept memory
        and     byte [0x87], 0x7F
        or      [0x87], al
        cmp     byte [cs:si + M_KIND], K_TEXT
        je      .ret
        ; graphics: INT 43h points at the ROM font of the mode's character height
        push    ds
        xor     ax, ax
        mov     ds, ax
        mov     ax, font8x8
        cmp     byte [cs:si + M_CHAR], 14
        jb      .vec
        mov     ax, font8x14
        je      .vec
        mov     ax, font8x16
.vec:   mov     [0x43 * 4], ax
        mov     [0x43 * 4 + 2], cs
        pop     ds
.ret:   ret

; the CGA mode control register value per mode 0-7 (IBM PC BIOS data area 40:65)
cga_mode_reg:
        db      0x2C, 0x28, 0x2D, 0x29, 0x2A, 0x2E, 0x1E, 0x29

; load_registers: programs misc, sequencer, CRTC, attribute and graphics controllers from the
; mode entry at CS:SI. load_regs_from: from DS:SI laid out as a mode entry's registers (misc at
; SI + M_MISC). IBM VGA Technical Reference: sequencer held in synchronous reset while the
; clock changes; CR11 bit 7 cleared before CR00-07 are written; the CRTC at 3B4h or 3D4h by
; misc bit 0.
load_registers:
        push    ds
        push    cs
        pop     ds
        call    load_regs_from
        pop     ds
        ret
load_regs_from:
        pusha
        mov     dx, 0x3C4
        mov     ax, 0x0100
        out     dx, ax
        mov     ax, 0x0501
        lea     di, [si + M_SEQ]
        call    out_indexed
        mov     al, [si + M_MISC]
        mov     dx, 0x3C2
        out     dx, al
        mov     dx, 0x3C4
        mov     ax, 0x0300
        out     dx, ax
        mov     dx, 0x3D4
        test    byte [si + M_MISC], 1
        jnz     .crtc0
        mov     dl, 0xB4
.crtc0: mov     ax, 0x0011
        out     dx, ax
        lea     di, [si + M_CRTC]
        mov     ax, 0x1900
        call    out_indexed
        add     dx, 6                   ; input status 1: resets the attribute flip-flop
        in      al, dx
        mov     dx, 0x3C0
        lea     di, [si + M_ATTR]
        xor     ah, ah
.attr:  mov     al, ah
        out     dx, al
        mov     al, [di]
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
        mov     ax, 0x0900
        call    out_indexed
        mov     dx, 0x3C6
        mov     al, 0xFF
        out     dx, al
        popa
        ret

; out_indexed: registers AL up to AH - 1 of the index/data pair at DX (sequencer, CRTC,
; graphics controller) from DS:DI onwards. Out: DI past the last value; AX changed.
out_indexed:
        push    bx
        mov     bx, ax                  ; BL = index, BH = the end
.next:  mov     al, bl
        out     dx, al
        inc     dx
        mov     al, [di]
        out     dx, al
        dec     dx
        inc     di
        inc     bl
        cmp     bl, bh
        jb      .next
        pop     bx
        ret

; ---------------------------------------------------------------- default DAC tables
; IBM VGA Technical Reference, default colour tables. Mono: the MDA's black, normal and bright
; (attribute bits 3 and 4). CGA: rgb plus intensity (bit 4), colour 6 brown. EGA: rgbRGB
; (primary bits 2/3, secondary 1/3 intensity). 256: the 16 CGA colours, a 16-step grey ramp,
; then 24 hues at 3 saturations and 3 intensities, and 8 black.
%macro MONO_DAC 0
%assign i 0
%rep 64
%assign n ((i >> 3) & 1) + ((i >> 4) & 1)
        db      (n == 1) * 0x2A + (n == 2) * 0x3F, (n == 1) * 0x2A + (n == 2) * 0x3F, (n == 1) * 0x2A + (n == 2) * 0x3F
%assign i i + 1
%endrep
%endmacro
%macro CGA_COLOUR 1
%assign brown ((%1) & 0x17) == 6
%assign hi (((%1) >> 4) & 1) * 0x15
        db      (((%1) >> 2) & 1) * 0x2A + hi, brown * 0x15 + (1 - brown) * ((((%1) >> 1) & 1) * 0x2A + hi), ((%1) & 1) * 0x2A + hi
%endmacro
%macro CGA_DAC 0
%assign i 0
%rep 64
        CGA_COLOUR i
%assign i i + 1
%endrep
%endmacro
%macro EGA_DAC 0
%assign i 0
%rep 64
        db      ((i >> 2) & 1) * 0x2A + ((i >> 5) & 1) * 0x15, ((i >> 1) & 1) * 0x2A + ((i >> 4) & 1) * 0x15, (i & 1) * 0x2A + ((i >> 3) & 1) * 0x15
%assign i i + 1
%endrep
%endmacro
%macro HUES 5                           ; the 24 hues of one saturation: component steps low..high
        db      %1,%1,%5, %2,%1,%5, %3,%1,%5, %4,%1,%5, %5,%1,%5, %5,%1,%4, %5,%1,%3, %5,%1,%2
        db      %5,%1,%1, %5,%2,%1, %5,%3,%1, %5,%4,%1, %5,%5,%1, %4,%5,%1, %3,%5,%1, %2,%5,%1
        db      %1,%5,%1, %1,%5,%2, %1,%5,%3, %1,%5,%4, %1,%5,%5, %1,%4,%5, %1,%3,%5, %1,%2,%5
%endmacro

dac_mono:       MONO_DAC
dac_cga:        CGA_DAC
dac_ega:        EGA_DAC
dac_256:
%assign i 0
%rep 16
        CGA_COLOUR (i & 7) | ((i & 8) << 1)
%assign i i + 1
%endrep
%assign i 0
%rep 16
%substr g `\x00\x05\x08\x0B\x0E\x11\x14\x18\x1C\x20\x24\x28\x2D\x32\x38\x3F` i + 1
        db      g, g, g
%assign i i + 1
%endrep
        HUES    0x00, 0x10, 0x1F, 0x2F, 0x3F
        HUES    0x1F, 0x27, 0x2F, 0x37, 0x3F
        HUES    0x2D, 0x31, 0x36, 0x3A, 0x3F
        HUES    0x00, 0x07, 0x0E, 0x15, 0x1C
        HUES    0x0E, 0x11, 0x15, 0x18, 0x1C
        HUES    0x14, 0x16, 0x18, 0x1A, 0x1C
        HUES    0x00, 0x04, 0x08, 0x0C, 0x10
        HUES    0x08, 0x0A, 0x0C, 0x0E, 0x10
        HUES    0x0B, 0x0C, 0x0D, 0x0F, 0x10
        times   8 * 3 db 0
dac_end:

dac_tables:
        dw      dac_mono, dac_cga, dac_ega, dac_256

; load_dac: the default DAC colours of the mode at CS:SI (64 entries, or 256 for 13h), grey-
; summed when 40:89 bit 1 says so (12h BL=33h).
load_dac:
        push    bx
        movzx   bx, byte [cs:si + M_DAC]
        call    load_dac_model
        pop     bx
        ret
; load_dac_model: the same for table BX (D_MONO ... D_256).
load_dac_model:
        pusha
        mov     cx, 64
        cmp     bl, D_256
        jne     .c
        mov     cx, 256
.c:     add     bx, bx
        mov     si, [cs:dac_tables + bx]
        push    cx
        mov     ax, 3
        mul     cx
        mov     cx, ax
        mov     dx, 0x3C8
        xor     al, al
        out     dx, al
        inc     dx
        push    ds
        push    cs
        pop     ds
        rep     outsb
        pop     ds
        pop     cx
        test    byte [0x89], 0x02
        jz      .ret
        xor     bx, bx
        call    grey_sum
.ret:   popa
        ret

; load_font: ES:DI glyphs, BH bytes each, CX glyphs from DX, into character map block BL
; (0-7) of plane 2 (32 bytes a glyph; blocks at 0/16/32/48 KiB, 4-7 at 8/24/40/56 KiB).
; Maps plane 2 at A0000 for the copy, then restores text-mode addressing (B0000 for the
; monochrome mode).
load_font:
        pusha
        push    ds
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
        mov     ax, 0x0E06              ; B8000-BFFFF, chained odd/even
        pop     ds
        cmp     byte [0x49], 7
        jne     .map
        mov     ah, 0x0A                ; B0000-B7FFF
.map:   out     dx, ax
        popa
        ret

%include "vgatext.asm"
%include "vgagfx.asm"
%include "vgapal.asm"
%include "vgafont.asm"
%include "vgastate.asm"
%include "vgaprtsc.asm"
%include "vbe.asm"

font8x16:
%include "font8x16.inc"
font8x14:
%include "font8x14.inc"
font8x8:
%include "font8x8.inc"

        times   ((($ - $$) + 1 + 2047) / 2048) * 2048 - ($ - $$) - 1 db 0
        db      0                       ; checksum: patched by build.sh
rom_end:
