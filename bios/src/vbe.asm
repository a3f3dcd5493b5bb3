; VBE 3.0 (VESA BIOS Extension Core Functions Standard 3.0) on the Bochs DISPI interface: the
; mode is set through XRES/YRES/BPP/ENABLE, the linear framebuffer is the VGA's PCI BAR0, banks
; are DISPI BANK (64 KiB windows at A0000), the display start DISPI X/Y_OFFSET. Included by
; vgabios.asm (INT 10h frame at BP). Not provided: the VBE 3.0 stereo and scheduled display
; start (4F07h BL=02h-06h), secondary palettes (4F09h BL=02h/03h), refresh-rate control
; (CRTC information block of 4F02h bit 11), the 4 bpp modes through the protected-mode
; interface's set display start, and the VBE 3.0 protected-mode entry point with its 'PMID'
; PMInfoBlock (VBE 3.0 chapter 5): that entry runs the BIOS in 16-bit protected mode with the
; BIOS data area at BIOSDataSel:0400h and the video windows at A0000Sel/B0000Sel/B8000Sel,
; while this BIOS addresses the BDA as segment 40h and loads the windows' real-mode segments,
; so a block advertising the entry would be a lie until those accesses go through selectors.
; The 4 bpp modes (102h, 104h, 106h: VBE 1.2's 16-colour modes) are the VGA's planar memory
; model (VBE 3.0, memory model 03h): four planes through the A0000 window and the graphics
; controller, banked in 64 KiB of each plane, with no linear framebuffer; the mode set loads the
; planar registers and 16-colour palette of VGA mode 12h first, as the Bochs VBE BIOS does.

; dispi_write: DISPI register AL = BX. dispi_read: BX = DISPI register AL.
dispi_write:
        push    ax
        push    dx
        call    dispi_select
        mov     ax, bx
        out     dx, ax
        pop     dx
        pop     ax
        ret
dispi_read:
        push    ax
        push    dx
        call    dispi_select
        in      ax, dx
        mov     bx, ax
        pop     dx
        pop     ax
        ret
; dispi_select: index register AL; out: DX = the data port. Changes AH.
dispi_select:
        mov     dx, DISPI_INDEX
        movzx   ax, al
        out     dx, ax
        inc     dx
        ret

; VBE modes: number, width, height, bits per pixel. 100h-11Fh are the VESA numbers; 140h-18Ch
; the Bochs VBE BIOS's numbers for the depths and sizes VESA never numbered; 190h-1A2h ours.
V_X     equ     2
V_Y     equ     4
V_BPP   equ     6
V_SIZE  equ     8
%macro VMODE 4
        dw      %1, %2, %3
        db      %4, 0
%endmacro
vbe_modes:
        VMODE   0x102, 800, 600, 4
        VMODE   0x104, 1024, 768, 4
        VMODE   0x106, 1280, 1024, 4
        VMODE   0x100, 640, 400, 8
        VMODE   0x101, 640, 480, 8
        VMODE   0x103, 800, 600, 8
        VMODE   0x105, 1024, 768, 8
        VMODE   0x107, 1280, 1024, 8
        VMODE   0x10D, 320, 200, 15
        VMODE   0x10E, 320, 200, 16
        VMODE   0x10F, 320, 200, 24
        VMODE   0x110, 640, 480, 15
        VMODE   0x111, 640, 480, 16
        VMODE   0x112, 640, 480, 24
        VMODE   0x113, 800, 600, 15
        VMODE   0x114, 800, 600, 16
        VMODE   0x115, 800, 600, 24
        VMODE   0x116, 1024, 768, 15
        VMODE   0x117, 1024, 768, 16
        VMODE   0x118, 1024, 768, 24
        VMODE   0x119, 1280, 1024, 15
        VMODE   0x11A, 1280, 1024, 16
        VMODE   0x11B, 1280, 1024, 24
        VMODE   0x11C, 1600, 1200, 8
        VMODE   0x11D, 1600, 1200, 15
        VMODE   0x11E, 1600, 1200, 16
        VMODE   0x11F, 1600, 1200, 24
        VMODE   0x140, 320, 200, 32
        VMODE   0x141, 640, 400, 32
        VMODE   0x142, 640, 480, 32
        VMODE   0x143, 800, 600, 32
        VMODE   0x144, 1024, 768, 32
        VMODE   0x145, 1280, 1024, 32
        VMODE   0x146, 320, 200, 8
        VMODE   0x147, 1600, 1200, 32
        VMODE   0x148, 1152, 864, 8
        VMODE   0x149, 1152, 864, 15
        VMODE   0x14A, 1152, 864, 16
        VMODE   0x14B, 1152, 864, 24
        VMODE   0x14C, 1152, 864, 32
        VMODE   0x175, 1280, 768, 16
        VMODE   0x176, 1280, 768, 24
        VMODE   0x177, 1280, 768, 32
        VMODE   0x178, 1280, 800, 16
        VMODE   0x179, 1280, 800, 24
        VMODE   0x17A, 1280, 800, 32
        VMODE   0x17B, 1280, 960, 16
        VMODE   0x17C, 1280, 960, 24
        VMODE   0x17D, 1280, 960, 32
        VMODE   0x17E, 1440, 900, 16
        VMODE   0x17F, 1440, 900, 24
        VMODE   0x180, 1440, 900, 32
        VMODE   0x181, 1400, 1050, 16
        VMODE   0x182, 1400, 1050, 24
        VMODE   0x183, 1400, 1050, 32
        VMODE   0x184, 1680, 1050, 16
        VMODE   0x185, 1680, 1050, 24
        VMODE   0x186, 1680, 1050, 32
        VMODE   0x187, 1920, 1200, 16
        VMODE   0x188, 1920, 1200, 24
        VMODE   0x189, 1920, 1200, 32
        VMODE   0x18A, 2560, 1600, 16
        VMODE   0x18B, 2560, 1600, 24
        VMODE   0x18C, 2560, 1600, 32
        ; numbered here: the 8 and 15 bpp forms of the sizes above, and 1920x1080
        VMODE   0x190, 1280, 768, 8
        VMODE   0x191, 1280, 800, 8
        VMODE   0x192, 1280, 960, 8
        VMODE   0x193, 1440, 900, 8
        VMODE   0x194, 1400, 1050, 8
        VMODE   0x195, 1680, 1050, 8
        VMODE   0x196, 1920, 1200, 8
        VMODE   0x197, 1280, 768, 15
        VMODE   0x198, 1280, 800, 15
        VMODE   0x199, 1280, 960, 15
        VMODE   0x19A, 1440, 900, 15
        VMODE   0x19B, 1400, 1050, 15
        VMODE   0x19C, 1680, 1050, 15
        VMODE   0x19D, 1920, 1200, 15
        VMODE   0x19E, 1920, 1080, 8
        VMODE   0x19F, 1920, 1080, 15
        VMODE   0x1A0, 1920, 1080, 16
        VMODE   0x1A1, 1920, 1080, 24
        VMODE   0x1A2, 1920, 1080, 32
vbe_modes_end:

oem_string:     db      "emu VGA BIOS", 0
oem_vendor:     db      "emu", 0
oem_product:    db      "QEMU standard VGA", 0
oem_revision:   db      "0.2", 0

; pixel formats per depth: red size/position, green, blue, reserved, direct colour info
masks_15:       db      5, 10, 5, 5, 5, 0, 1, 15, 0
masks_16:       db      5, 11, 6, 5, 5, 0, 0, 0, 0
masks_24:       db      8, 16, 8, 8, 8, 0, 0, 0, 0
masks_32:       db      8, 16, 8, 8, 8, 0, 8, 24, 0

; vbe_find: CX mode number (bits 0-8) -> SI entry; CF when unknown.
vbe_find:
        push    cx
        and     cx, 0x1FF
        mov     si, vbe_modes
.next:  cmp     [cs:si], cx
        je      .found
        add     si, V_SIZE
        cmp     si, vbe_modes_end
        jb      .next
        pop     cx
        stc
        ret
.found: pop     cx
        clc
        ret

; vbe_pitch: AX = bytes per scan line of entry SI (of one plane at 4 bpp: 8 pixels a byte,
; as VBE reports planar modes). vbe_bytespp: AX = bytes per pixel (packed pixels).
vbe_bytespp:
        movzx   ax, byte [cs:si + V_BPP]
        add     ax, 7
        shr     ax, 3
        ret
vbe_pitch:
        cmp     byte [cs:si + V_BPP], 4
        je      .planar
        push    dx
        call    vbe_bytespp
        mul     word [cs:si + V_X]
        pop     dx
        ret
.planar:
        mov     ax, [cs:si + V_X]
        shr     ax, 3
        ret

; vbe_frame: EAX = VRAM bytes of one frame of entry SI (all four planes at 4 bpp).
; vbe_memory: EBX = VRAM bytes.
vbe_frame:
        push    edx
        call    vbe_pitch
        movzx   eax, ax
        cmp     byte [cs:si + V_BPP], 4
        jne     .lines
        shl     eax, 2
.lines: movzx   edx, word [cs:si + V_Y]
        imul    eax, edx
        pop     edx
        ret
vbe_memory:
        push    ax
        mov     al, DI_MEM64K
        call    dispi_read
        movzx   ebx, bx
        shl     ebx, 16
        pop     ax
        ret

; vbe_fits: CF when entry SI needs more than VRAM.
vbe_fits:
        push    eax
        push    ebx
        call    vbe_frame
        call    vbe_memory
        cmp     ebx, eax                ; CF when VRAM < frame
        pop     ebx
        pop     eax
        ret

; vga_lfb: EAX = the VGA's BAR0 (the linear framebuffer), found on bus 0 by its vendor and
; device ID through configuration mechanism #1 (PCI Local Bus 3.0, 3.2.2.3.2); 0 if absent.
vga_lfb:
        push    ecx
        push    dx
        mov     ecx, 0x80000000
.dev:   mov     eax, ecx
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, 0xCFC
        in      eax, dx
        cmp     eax, 0x11111234
        je      .found
        add     ecx, 0x100              ; next function
        cmp     ecx, 0x80010000
        jb      .dev
        xor     eax, eax
        jmp     .ret
.found: lea     eax, [ecx + 0x10]
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, 0xCFC
        in      eax, dx
        and     al, 0xF0
.ret:   pop     dx
        pop     ecx
        ret

vbe:    cmp     al, 0x0A
        ja      .ret                    ; AL stays unlike 4Fh: not supported
        movzx   si, al
        add     si, si
        jmp     [cs:vbe_table + si]
.ret:   ret

vbe_table:
        dw      vbe_info, vbe_mode_info, vbe_set_mode, vbe_get_mode, vbe_state
        dw      vbe_window, vbe_scanline, vbe_display_start, vbe_dac_width, vbe_palette
        dw      vbe_pm

; RETRACE_START: waits for the start of the next vertical retrace: input status 1 (3DAh) bit 3
; clear, then set (IBM VGA Technical Reference). Changes AL and DX; assembles in 16- and 32-bit code.
%macro RETRACE_START 0
        mov     dx, 0x3DA
%%out:  in      al, dx
        test    al, 8
        jnz     %%out
%%in:   in      al, dx
        test    al, 8
        jz      %%in
%endmacro

; wait_retrace: until the start of the next vertical retrace (input status 1 bit 3).
wait_retrace:
        push    ax
        push    dx
        RETRACE_START
        pop     dx
        pop     ax
        ret

vbe_ok:
        mov     word [bp + F_AX], 0x004F
        ret
vbe_fail:
        mov     word [bp + F_AX], 0x014F
        ret

; 4F00h: controller information at ES:DI (512 bytes when the caller put "VBE2" there). The
; mode list goes in the block's reserved area (allowed by VBE 3.0, 4.3), holding only the modes
; this VRAM size can show.
vbe_info:
        mov     eax, [es:di]
        push    eax
        mov     cx, 128
        cmp     eax, 'VBE2'
        jne     .zero
        mov     cx, 256
.zero:  push    di
        xor     ax, ax
        rep     stosw
        pop     di
        mov     dword [es:di], 'VESA'
        mov     word [es:di + 4], 0x0300
        mov     word [es:di + 6], oem_string
        mov     [es:di + 8], cs
        mov     dword [es:di + 10], 1   ; DAC switchable to 8 bits
        lea     ax, [di + 0x22]
        mov     [es:di + 14], ax
        mov     [es:di + 16], es
        call    vbe_memory
        shr     ebx, 16
        mov     [es:di + 18], bx
        pop     eax
        cmp     eax, 'VBE2'
        jne     .list
        mov     word [es:di + 20], 0x0001
        mov     word [es:di + 22], oem_vendor
        mov     [es:di + 24], cs
        mov     word [es:di + 26], oem_product
        mov     [es:di + 28], cs
        mov     word [es:di + 30], oem_revision
        mov     [es:di + 32], cs
.list:  add     di, 0x22
        mov     si, vbe_modes
.mode:  call    vbe_fits
        jc      .skip
        mov     ax, [cs:si]
        stosw
.skip:  add     si, V_SIZE
        cmp     si, vbe_modes_end
        jb      .mode
        mov     ax, 0xFFFF
        stosw
        jmp     vbe_ok

; 4F01h: mode information for CX at ES:DI (256 bytes).
vbe_mode_info:
        call    vbe_find
        jc      vbe_fail
        push    di
        mov     cx, 128
        xor     ax, ax
        rep     stosw
        pop     di
        mov     ax, 0x009B              ; supported, extra info, colour, graphics, LFB
        call    vbe_fits
        jnc     .attr
        and     al, 0xFE
.attr:  mov     [es:di], ax
        mov     byte [es:di + 2], 0x07  ; window A: exists, readable, writable
        mov     word [es:di + 4], 64
        mov     word [es:di + 6], 64
        mov     word [es:di + 8], 0xA000
        mov     word [es:di + 0x0C], vbe_window_far
        mov     [es:di + 0x0E], cs
        call    vbe_pitch
        mov     [es:di + 0x10], ax
        mov     ax, [cs:si + V_X]
        mov     [es:di + 0x12], ax
        mov     ax, [cs:si + V_Y]
        mov     [es:di + 0x14], ax
        mov     word [es:di + 0x16], 0x1008 ; 8x16 character cell
        mov     byte [es:di + 0x18], 1      ; planes
        mov     al, [cs:si + V_BPP]
        mov     [es:di + 0x19], al
        mov     byte [es:di + 0x1A], 1      ; banks
        mov     byte [es:di + 0x1B], 4      ; packed pixel
        call    vbe_frame
        call    vbe_memory
        xchg    eax, ebx
        xor     edx, edx
        div     ebx
        dec     eax
        cmp     eax, 255
        jbe     .pages
        mov     al, 255
.pages: mov     [es:di + 0x1D], al
        mov     [es:di + 0x34], al          ; VBE 3.0: banked and linear image pages
        mov     [es:di + 0x35], al
        mov     byte [es:di + 0x1E], 1
        mov     al, [cs:si + V_BPP]
        cmp     al, 4
        je      .planar
        call    vbe_pitch
        mov     [es:di + 0x32], ax          ; VBE 3.0: linear bytes per scan line
        mov     al, [cs:si + V_BPP]
        cmp     al, 8
        je      .lfb
        mov     byte [es:di + 0x1B], 6      ; direct colour
        mov     bx, masks_15
        cmp     al, 15
        je      .masks
        mov     bx, masks_16
        cmp     al, 16
        je      .masks
        mov     bx, masks_24
        cmp     al, 24
        je      .masks
        mov     bx, masks_32
.masks: push    si
        push    di
        mov     si, bx
        add     di, 0x1F
        mov     cx, 9
.m:     mov     al, [cs:si]
        mov     [es:di + 0x36 - 0x1F], al   ; VBE 3.0: the linear modes' masks, the same
        stosb
        inc     si
        loop    .m
        pop     di
        pop     si
.lfb:   call    vga_lfb
        mov     [es:di + 0x28], eax
        jmp     vbe_ok
; 4 bpp: four planes, memory model 03h, and no linear framebuffer (attribute bit 7 clear,
; PhysBasePtr and the linear fields 0).
.planar:
        and     byte [es:di], 0x7F
        mov     byte [es:di + 0x18], 4
        mov     byte [es:di + 0x1B], 3
        mov     byte [es:di + 0x35], 0
        jmp     vbe_ok

; 4F02h: set mode BX (bit 14: linear framebuffer, bit 15: keep memory); below 100h a VGA mode.
vbe_set_mode:
        mov     cx, bx
        and     cx, 0x1FF
        cmp     cx, 0x100
        jae     .vbe
        mov     al, cl
        test    bh, 0x80
        jz      .vga
        or      al, 0x80
.vga:   call    set_mode
        jmp     vbe_ok
.vbe:   call    vbe_find
        jc      vbe_fail
        call    vbe_fits
        jc      vbe_fail
        cmp     byte [cs:si + V_BPP], 4
        jne     .dispi
        test    bh, 0x40
        jnz     vbe_fail                ; no linear framebuffer for the planar modes
        pusha
        mov     al, 0x12                ; the planar registers and 16-colour palette
        and     bh, 0x80                ; bit 15: keep memory
        or      al, bh
        call    set_mode
        popa
.dispi: mov     dx, bx
        mov     al, DI_ENABLE
        xor     bx, bx
        call    dispi_write
        mov     al, DI_BPP
        movzx   bx, byte [cs:si + V_BPP]
        call    dispi_write
        mov     al, DI_XRES
        mov     bx, [cs:si + V_X]
        call    dispi_write
        mov     al, DI_YRES
        mov     bx, [cs:si + V_Y]
        call    dispi_write
        mov     al, DI_VWIDTH
        call    dispi_write             ; BX = XRES still
        xor     bx, bx
        mov     al, DI_BANK
        call    dispi_write
        mov     al, DI_XOFF
        call    dispi_write
        mov     al, DI_YOFF
        call    dispi_write
        mov     bx, EN_ON
        test    dh, 0x40
        jz      .nolfb
        or      bl, EN_LFB
.nolfb: test    dh, 0x80
        jz      .clear
        or      bl, EN_NOCLEAR
.clear: mov     al, DI_ENABLE
        call    dispi_write
        cmp     byte [cs:si + V_BPP], 8
        jne     vbe_ok
        push    bx
        mov     bx, D_256
        call    load_dac_model
        pop     bx
        jmp     vbe_ok

; 4F03h: BX = the current mode (a VBE mode with bit 14 when the LFB was asked for).
vbe_get_mode:
        mov     al, DI_ENABLE
        call    dispi_read
        test    bl, EN_ON
        jz      .vga
        mov     dl, bl
        mov     al, DI_XRES
        call    dispi_read
        mov     cx, bx
        mov     al, DI_YRES
        call    dispi_read
        mov     di, bx
        mov     al, DI_BPP
        call    dispi_read
        mov     si, vbe_modes
.find:  cmp     [cs:si + V_X], cx
        jne     .next
        cmp     [cs:si + V_Y], di
        jne     .next
        cmp     [cs:si + V_BPP], bl
        je      .found
.next:  add     si, V_SIZE
        cmp     si, vbe_modes_end
        jb      .find
        jmp     vbe_fail                ; a DISPI mode set without this BIOS
.found: mov     ax, [cs:si]
        test    dl, EN_LFB
        jz      .ret
        or      ax, 0x4000
.ret:   mov     [bp + F_BX], ax
        jmp     vbe_ok
.vga:   movzx   ax, byte [0x49]
        mov     [bp + F_BX], ax
        jmp     vbe_ok

; 4F05h: window A position: BH 0 set DX (64 KiB units), 1 get into DX.
vbe_window:
        test    bl, bl
        jnz     vbe_fail                ; there is no window B
        cmp     bh, 1
        ja      vbe_fail
        je      .get
        mov     al, DI_BANK
        mov     bx, dx
        call    dispi_write
        jmp     vbe_ok
.get:   mov     al, DI_BANK
        call    dispi_read
        mov     [bp + F_DX], bx
        jmp     vbe_ok

; the far window function of the mode information (called with BH/BL/DX as 4F05h)
vbe_window_far:
        test    bx, bx
        jnz     .ret
        push    ax
        push    bx
        mov     al, DI_BANK
        mov     bx, dx
        call    dispi_write
        pop     bx
        pop     ax
.ret:   retf

; 4F06h: logical scan line: BL 0 set CX pixels, 2 set CX bytes, 1 get; returns BX bytes,
; CX pixels, DX lines that fit in VRAM (DISPI's VIRT_HEIGHT). At 4 bpp the bytes are those of
; one plane, 8 pixels each (VBE 3.0, 4F06h, as BytesPerScanLine of planar modes).
vbe_scanline:
        mov     al, DI_BPP
        call    dispi_read
        movzx   si, bl
        add     si, 7
        shr     si, 3                   ; SI = bytes per pixel
        cmp     bl, 4
        jne     .packed
        xor     si, si                  ; SI = 0: planar
.packed:
        mov     bl, [bp + F_BL]
        cmp     bl, 1
        je      .get
        cmp     bl, 3
        je      .max
        cmp     bl, 2
        ja      vbe_fail
        jb      .set
        mov     ax, cx
        call    scan_pixels
        mov     cx, ax
.set:   mov     al, DI_VWIDTH
        mov     bx, cx
        call    dispi_write
.get:   mov     al, DI_VWIDTH
        call    dispi_read
        mov     [bp + F_CX], bx
        mov     ax, bx
        call    scan_bytes
        mov     [bp + F_BX], ax
        mov     al, DI_VHEIGHT
        call    dispi_read
        mov     [bp + F_DX], bx
        jmp     vbe_ok
; BL=3: the longest line VRAM (at 4 bpp a plane, a quarter of it) holds with the mode's lines
; (and DISPI's width limit), BX bytes (at most FFFFh), CX pixels.
.max:   mov     al, DI_YRES
        call    dispi_read
        movzx   ecx, bx
        jecxz   .fail
        call    vbe_memory
        mov     eax, ebx
        test    si, si
        jnz     .line
        shr     eax, 2
.line:  xor     edx, edx
        div     ecx                     ; bytes a line
        cmp     eax, 0xFFFF
        jbe     .m1
        mov     eax, 0xFFFF
.m1:    call    scan_pixels
        mov     [bp + F_CX], ax
        call    scan_bytes
        mov     [bp + F_BX], ax
        jmp     vbe_ok
.fail:  jmp     vbe_fail

; scan_pixels: AX bytes of a scan line -> AX pixels (at most DISPI's 16000); scan_bytes: AX
; pixels -> AX bytes. SI = bytes per pixel, 0 for planar (8 pixels a byte).
scan_pixels:
        push    dx
        test    si, si
        jz      .planar
        xor     dx, dx
        div     si
        jmp     .cap
.planar:
        cmp     ax, 2000
        jbe     .eight
        mov     ax, 2000
.eight: shl     ax, 3
.cap:   cmp     ax, 16000
        jbe     .ret
        mov     ax, 16000
.ret:   pop     dx
        ret
scan_bytes:
        push    dx
        test    si, si
        jz      .planar
        mul     si
        pop     dx
        ret
.planar:
        shr     ax, 3
        pop     dx
        ret

; 4F07h: display start: BL 00h set CX pixel, DX line, 80h the same at the next vertical
; retrace; 01h get.
vbe_display_start:
        cmp     bl, 1
        je      .get
        test    bl, 0x7F
        jnz     vbe_fail
        test    bl, bl
        jz      .set
        call    wait_retrace
.set:   mov     al, DI_XOFF
        mov     bx, cx
        call    dispi_write
        mov     al, DI_YOFF
        mov     bx, dx
        call    dispi_write
        jmp     vbe_ok
.get:   mov     al, DI_XOFF
        call    dispi_read
        mov     [bp + F_CX], bx
        mov     al, DI_YOFF
        call    dispi_read
        mov     [bp + F_DX], bx
        mov     byte [bp + F_BH], 0
        jmp     vbe_ok

; 4F08h: DAC width: BL 0 set BH (8, else 6), 1 get; BH = the width now.
vbe_dac_width:
        cmp     bl, 1
        ja      vbe_fail
        mov     dh, bh
        mov     al, DI_ENABLE
        call    dispi_read
        cmp     byte [bp + F_BL], 1
        je      .get
        and     bl, ~EN_DAC8
        cmp     dh, 8
        jb      .set
        or      bl, EN_DAC8
.set:   call    dispi_write
.get:   mov     byte [bp + F_BH], 6
        test    bl, EN_DAC8
        jz      vbe_ok
        mov     byte [bp + F_BH], 8
        jmp     vbe_ok

; DAC_FROM_VBE index: CX entries from DL on of the VBE palette format at ES:index (blue, green,
; red, alignment: VBE 3.0, function 09h) into the DAC, which takes red, green, blue (IBM VGA
; Technical Reference, DAC address write mode 3C8h, data 3C9h). LOOP counts CX in 16-bit code
; and ECX in 32-bit code: 32-bit callers zero ECX's top half. DX and AL are changed.
%macro DAC_FROM_VBE 1
        mov     al, dl
        mov     dx, 0x3C8
        out     dx, al
        inc     dx
        jcxz    %%done
%%each: mov     al, [es:%1 + 2]
        out     dx, al
        mov     al, [es:%1 + 1]
        out     dx, al
        mov     al, [es:%1]
        out     dx, al
        add     %1, 4
        loop    %%each
%%done:
%endmacro

; 4F09h: primary palette: BL 00h set CX entries from DX out of ES:DI (80h: at the vertical
; retrace), 01h get; entries are blue, green, red, alignment (VBE 3.0, function 09h).
vbe_palette:
        cmp     bl, 1
        je      .get
        test    bl, 0x7F
        jnz     vbe_fail
        test    bl, bl
        jz      .set0
        call    wait_retrace
.set0:  DAC_FROM_VBE di
.ok:    jmp     vbe_ok
.get:   mov     al, dl
        mov     dx, 0x3C7
        out     dx, al
        add     dx, 2
        jcxz    .ok
.g:     in      al, dx
        mov     [es:di + 2], al
        in      al, dx
        mov     [es:di + 1], al
        in      al, dx
        mov     [es:di], al
        mov     byte [es:di + 3], 0
        add     di, 4
        loop    .g
        jmp     vbe_ok

; 4F04h: save/restore state: DL 0: BX = 64-byte blocks for the parts of CX (bit 0 hardware,
; 1 BIOS data, 2 DAC, 3 the DISPI registers); 1 save at ES:BX; 2 restore from ES:BX.
vbe_state:
        cmp     dl, 2
        ja      vbe_fail
        and     cx, 0x0F
        mov     al, dl
        call    state_op
        jmp     vbe_ok

; 4F0Ah: BL 0: ES:DI = the protected-mode interface table, CX its length.
vbe_pm:
        test    bl, bl
        jnz     vbe_fail
        mov     [bp + F_ES], cs
        mov     word [bp + F_DI], pm_table
        mov     word [bp + F_CX], pm_end - pm_table
        jmp     vbe_ok

; The protected-mode interface (VBE 3.0, Function 0Ah): offsets of the set window, set display
; start and set primary palette code from the table's start, then of the port and memory list.
; The code is 32-bit and position independent (the caller copies the table or maps a selector
; on it and near-calls it); it takes the real-mode functions' registers and returns AX.
pm_table:
        dw      pm_set_window - pm_table
        dw      pm_set_start - pm_table
        dw      pm_set_palette - pm_table
        dw      pm_ports - pm_table

        bits    32
; window A position DX (64 KiB units); BL = 0 (window A)
pm_set_window:
        test    bl, bl
        jnz     pm_fail
        push    edx
        push    edx
        mov     dx, DISPI_INDEX
        mov     ax, DI_BANK
        out     dx, ax
        pop     eax
        inc     dx
        out     dx, ax
        pop     edx
        mov     ax, 0x004F
        ret
pm_fail:
        mov     ax, 0x014F
        ret

; pm_when: BL of 4F07h/4F09h: 00h now, 80h after waiting for the start of the next vertical
; retrace (input status 1 bit 3); CF for any other BL. Keeps the registers but AL.
pm_when:
        test    bl, bl
        jz      .now                    ; TEST cleared CF
        cmp     bl, 0x80
        jne     .bad
        push    edx
        RETRACE_START
        pop     edx
.now:   clc
        ret
.bad:   stc
        ret

; display start DX:CX in 4-byte units (VBE 3.0, 4F07h from protected mode: the address is
; byte offset / 4); BL 00h now, 80h at the next vertical retrace.
pm_set_start:
        call    pm_when
        jc      pm_fail
        push    ebx
        push    ecx
        push    edx
        push    esi
        shl     edx, 16
        movzx   ecx, cx
        or      ecx, edx
        shl     ecx, 2                  ; the byte offset
        mov     dx, DISPI_INDEX
        mov     ax, DI_BPP
        out     dx, ax
        inc     dx
        in      ax, dx
        movzx   esi, ax
        add     esi, 7
        shr     esi, 3                  ; bytes a pixel
        dec     dx
        mov     ax, DI_VWIDTH
        out     dx, ax
        inc     dx
        in      ax, dx
        movzx   ebx, ax
        imul    ebx, esi                ; bytes a line
        test    ebx, ebx
        jz      .bad
        mov     eax, ecx
        xor     edx, edx
        div     ebx                     ; EAX = line, EDX = byte in it
        mov     ecx, eax
        mov     eax, edx
        xor     edx, edx
        div     esi                     ; EAX = pixel
        push    eax
        mov     dx, DISPI_INDEX
        mov     ax, DI_XOFF
        out     dx, ax
        inc     dx
        pop     eax
        out     dx, ax
        dec     dx
        mov     ax, DI_YOFF
        out     dx, ax
        inc     dx
        mov     eax, ecx
        out     dx, ax
        pop     esi
        pop     edx
        pop     ecx
        pop     ebx
        mov     ax, 0x004F
        ret
.bad:   pop     esi
        pop     edx
        pop     ecx
        pop     ebx
        jmp     pm_fail

; primary palette: BL 00h/80h, CX entries from DX, ES:EDI blue, green, red, alignment
pm_set_palette:
        call    pm_when
        jc      pm_fail
        push    ecx
        push    edx
        push    edi
        movzx   ecx, cx
        DAC_FROM_VBE edi
        pop     edi
        pop     edx
        pop     ecx
        mov     ax, 0x004F
        ret
        bits    16

; the I/O ports the code above uses (FFFFh ends), then the memory areas (none: FFFFh)
pm_ports:
        dw      DISPI_INDEX, DISPI_DATA, 0x3C8, 0x3C9, 0x3DA, 0xFFFF
        dw      0xFFFF
pm_end:
