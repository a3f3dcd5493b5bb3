; PCI: configuration mechanism #1 (PCI Local Bus 2.1, 3.7.4.1), enumeration of bus 0 with
; BAR assignment and interrupt lines, the chipset functions' set-up, expansion ROMs, and the
; PCI BIOS 2.10 real-mode interface (INT 1Ah AH=B1h; PCI BIOS Specification 2.1).

PCI_IO_BASE     equ     0xC000
PCI_MEM_BASE    equ     0xE0000000
PCI_MEM_END     equ     0xFEC00000      ; the IOAPIC
BAR_SEG         equ     0x2000          ; scratch table of BARs during POST (8 bytes each)
ROM_SCRATCH     equ     0x30000         ; scratch copy of an expansion ROM's header

; pci_addr: selects register DI of the function BX (bus << 8 | devfn) through CF8h;
; DX = the data port of the register's byte (CFCh + DI & 3).
pci_addr:
        push    eax
        movzx   eax, bx
        shl     eax, 8
        or      eax, 0x80000000
        mov     dx, di
        and     dl, 0xFC
        or      al, dl
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, di
        and     dx, 3
        add     dx, 0xCFC
        pop     eax
        ret

; pci_readN: CL/CX/ECX = register DI of BX. pci_writeN: register DI of BX = CL/CX/ECX.
pci_read8:
        push    dx
        push    ax
        call    pci_addr
        in      al, dx
        mov     cl, al
        pop     ax
        pop     dx
        ret
pci_read16:
        push    dx
        push    ax
        call    pci_addr
        in      ax, dx
        mov     cx, ax
        pop     ax
        pop     dx
        ret
pci_read32:
        push    dx
        push    eax
        call    pci_addr
        in      eax, dx
        mov     ecx, eax
        pop     eax
        pop     dx
        ret
pci_write8:
        push    dx
        push    ax
        call    pci_addr
        mov     al, cl
        out     dx, al
        pop     ax
        pop     dx
        ret
pci_write16:
        push    dx
        push    ax
        call    pci_addr
        mov     ax, cx
        out     dx, ax
        pop     ax
        pop     dx
        ret
pci_write32:
        push    dx
        push    eax
        call    pci_addr
        mov     eax, ecx
        out     dx, eax
        pop     eax
        pop     dx
        ret

; pci_setup: every function on bus 0: chipset set-up, BAR sizing, interrupt line; then the
; BARs are assigned largest first and the expansion ROMs copied to the option ROM area.
pci_setup:
        push    es
        push    bp
        mov     ax, BAR_SEG
        mov     es, ax
        call    pirq_load
        xor     bp, bp
        xor     bx, bx
.dev:   xor     di, di
        call    pci_read16
        cmp     cx, 0xFFFF
        je      .absent
        call    pci_function_setup
        test    bl, 7
        jnz     .nextfn
        mov     di, 0x0E
        call    pci_read8
        test    cl, 0x80
        jnz     .nextfn
        or      bl, 7                   ; single-function device
        jmp     .nextfn
.absent:
        test    bl, 7
        jnz     .nextfn
        or      bl, 7                   ; no function 0: no device
.nextfn:
        inc     bl
        jnz     .dev
        call    pci_assign
        call    pci_copy_roms
        pop     bp
        pop     es
        ret

; pci_function_setup: BX = the function. Records its BARs at ES:BP, sets its interrupt line,
; and sets up the PIIX3 and PIIX4 functions.
pci_function_setup:
        mov     di, 0x0E
        call    pci_read8
        and     cl, 0x7F
        jnz     .irq                    ; only type 0 headers have six BARs
        mov     di, 0x10
.bar:   mov     eax, 0xFFFFFFFF
        call    pci_probe
        test    eax, eax
        jz      .nextbar
        test    al, 1
        jnz     .io
        mov     dl, 1
        mov     dh, al
        and     dh, 6
        cmp     dh, 4
        jne     .mem
        mov     dl, 2                   ; 64-bit BAR: placed below 4 GiB, upper half 0
.mem:   and     eax, 0xFFFFFFF0
        neg     eax
        jmp     .rec
.io:    and     eax, 0xFFFFFFFC
        neg     eax
        and     eax, 0xFFFF
        mov     dl, 0
.rec:   call    bar_record
        cmp     dl, 2
        jne     .nextbar
        add     di, 4
.nextbar:
        add     di, 4
        cmp     di, 0x24
        jbe     .bar
        ; Expansion ROM BAR (PCI 2.1, 6.2.5.2): address bits 31-11, bit 0 enable.
        mov     di, 0x30
        mov     eax, 0xFFFFF800
        call    pci_probe
        and     eax, 0xFFFFF800
        jz      .irq
        neg     eax
        mov     dl, 3
        call    bar_record
.irq:   ; the IRQ its INTx pin is routed to, as the board's $PIR says (pirq.asm)
        mov     di, 0x3D
        call    pci_read8
        call    pirq_line
        jc      .chipset
        mov     di, 0x3C
        call    pci_write8
.chipset:
        xor     di, di
        call    pci_read32
        cmp     ecx, 0x70008086
        je      piix3_setup
        cmp     ecx, 0x71138086
        je      piix4_pm_setup
        ret

; pci_probe: BAR DI of BX: writes EAX, reads back the mask into EAX, restores the old value.
pci_probe:
        push    ecx
        call    pci_read32
        push    ecx
        mov     ecx, eax
        call    pci_write32
        call    pci_read32
        mov     eax, ecx
        pop     ecx
        call    pci_write32
        pop     ecx
        ret

; bar_record: ES:BP <- size EAX, function BX, register DI, kind DL (0 I/O, 1 mem32, 2 mem64, 3 ROM).
bar_record:
        cmp     bp, 0xFFF8
        jae     .full
        mov     [es:bp], eax
        mov     [es:bp + 4], bx
        mov     ax, di
        mov     [es:bp + 6], al
        mov     [es:bp + 7], dl
        add     bp, 8
.full:  ret

; PIIX3 (8086:7000): PIRQA-D route registers 60h-63h (PIIX3 datasheet 2.2.10), from the $PIR.
piix3_setup:
        jmp     pirq_program

; PIIX4 power management (8086:7113): PM I/O at 600h (PMBA 40h, enabled by PMREGMISC 80h
; bit 0), SMBus at 700h (SMBBA 90h, host enabled with IRQ 9 by D2h), the SCI on IRQ 9
; (PIIX4 datasheet 3.4.2; SeaBIOS's choices, which QEMU's ACPI tables assume).
piix4_pm_setup:
        mov     di, 0x40
        mov     ecx, 0x601
        call    pci_write32
        mov     di, 0x80
        mov     cl, 0x01
        call    pci_write8
        mov     di, 0x90
        mov     ecx, 0x701
        call    pci_write32
        mov     di, 0xD2
        mov     cl, 0x09
        call    pci_write8
        mov     di, 0x3C
        mov     cl, 9
        jmp     pci_write8

; pci_assign: BARs largest first, I/O upwards from PCI_IO_BASE, memory (and ROMs) upwards
; from PCI_MEM_BASE below the IOAPIC; each function decodes what it was given.
pci_assign:
        mov     esi, PCI_IO_BASE
        mov     dh, 0
        call    .class
        mov     esi, PCI_MEM_BASE
        mov     dh, 1
.class: ; DH = 0 I/O, 1 memory; ESI = next free address.
        xor     eax, eax
        mov     di, 0xFFFF
        xor     bx, bx
.find:  cmp     bx, bp
        jae     .found
        mov     dl, [es:bx + 7]
        test    dl, 0x80
        jnz     .nf
        cmp     dl, 0
        je      .io
        test    dh, dh
        jz      .nf
        jmp     .cand
.io:    test    dh, dh
        jnz     .nf
.cand:  cmp     [es:bx], eax
        jbe     .nf
        mov     eax, [es:bx]
        mov     di, bx
.nf:    add     bx, 8
        jmp     .find
.found: cmp     di, 0xFFFF
        je      .ret
        or      byte [es:di + 7], 0x80
        ; address = ESI rounded up to the size (a power of two)
        mov     ecx, eax
        dec     ecx
        add     esi, ecx
        not     ecx
        and     esi, ecx
        mov     ecx, esi
        add     esi, eax
        jc      .skip
        test    dh, dh
        jnz     .memlim
        cmp     esi, 0x10000
        ja      .skip
        jmp     .ok
.memlim:
        cmp     esi, PCI_MEM_END
        ja      .skip
.ok:    mov     [es:di], ecx            ; the entry now holds its address
        push    di
        mov     bx, [es:di + 4]
        mov     dl, [es:di + 7]
        movzx   di, byte [es:di + 6]
        call    pci_write32
        and     dl, 0x7F
        cmp     dl, 2
        jne     .cmd
        add     di, 4
        xor     ecx, ecx
        call    pci_write32
.cmd:   cmp     dl, 3
        je      .next                   ; ROMs are enabled only while copied
        mov     di, 0x04
        call    pci_read16
        test    dh, dh
        jnz     .memcmd
        or      cl, 1                   ; I/O space enable
        jmp     .setcmd
.memcmd:
        or      cl, 2                   ; memory space enable
.setcmd:
        call    pci_write16
.next:  pop     di
        jmp     .class
.skip:  sub     esi, eax                ; does not fit: left unassigned (address 0)
        mov     dword [es:di], 0
        jmp     .class
.ret:   ret

; pci_copy_roms: copies each assigned expansion ROM's first image into the first free room of
; the option ROM area, around ROMs already there (ISA ROMs at their fixed addresses), display
; controllers (class 03h) first, so a VGA BIOS lands at C0000 (PCI Firmware Specification 3.0,
; 5.1.1) unless an ISA ROM is there.
pci_copy_roms:
        mov     dh, 1
        call    .pass
        mov     dh, 0
.pass:  xor     si, si
.each:  cmp     si, bp
        jae     .ret
        cmp     byte [es:si + 7], 0x83
        jne     .next
        mov     ecx, [es:si]
        test    ecx, ecx
        jz      .next
        mov     bx, [es:si + 4]
        push    ecx
        mov     di, 0x08
        call    pci_read32
        shr     ecx, 24
        cmp     cl, 3
        sete    cl
        cmp     cl, dh
        pop     ecx
        jne     .next
        call    pci_copy_rom
.next:  add     si, 8
        jmp     .each
.ret:   ret

; pci_copy_rom: function BX, ROM BAR address ECX.
pci_copy_rom:
        pushad
        push    es
        mov     di, 0x30
        mov     eax, ecx
        or      ecx, 1
        call    pci_write32
        push    eax
        mov     di, 0x04
        call    pci_read16
        push    cx
        or      cl, 2
        call    pci_write16
        mov     esi, eax
        mov     edi, ROM_SCRATCH
        mov     ecx, 512
        push    esi
        call    pm_copy
        pop     esi
        mov     ax, ROM_SCRATCH >> 4
        mov     es, ax
        cmp     word [es:0], 0xAA55
        jne     .off
        movzx   ecx, byte [es:2]
        shl     ecx, 9
        jz      .off
        push    cx
        shr     cx, 4
        call    rom_find_gap
        pop     cx
        jc      .off
        movzx   edi, ax
        shl     edi, 4
        call    pm_copy
.off:   pop     cx
        mov     di, 0x04
        call    pci_write16
        pop     ecx
        mov     di, 0x30
        call    pci_write32
        pop     es
        popad
        ret

; rom_find_gap: CX = a size in paragraphs -> AX = the first 2 KiB-aligned segment from C000
; where that many paragraphs fit below E000 overlapping no option ROM present (55AAh, size in
; 512-byte blocks at offset 2: IBM PC/AT Technical Reference, "Adapter ROM"); CF set if none.
; The one placement rule for ROMs POST copies in: PCI expansion ROMs here, genroms/* files in
; genroms.asm.
rom_find_gap:
        push    bx
        push    dx
        push    si
        push    ds
        mov     si, 0xC000              ; the candidate
.cand:  mov     dx, si
        add     dx, cx
        jc      .none
        cmp     dx, 0xE000
        ja      .none
        mov     bx, 0xC000
.rom:   cmp     bx, dx
        jae     .found                  ; no ROM starting before the candidate's end overlaps it
        mov     ds, bx
        cmp     word [0], 0xAA55
        jne     .next_rom
        movzx   ax, byte [2]
        shl     ax, 5
        add     ax, bx                  ; the ROM's end
        cmp     ax, si
        jbe     .next_rom
        add     ax, 0x7F                ; overlap: try after the ROM, at a 2 KiB boundary
        and     ax, 0xFF80
        mov     si, ax
        jmp     .cand
.next_rom:
        add     bx, 0x80
        jmp     .rom
.found: mov     ax, si
        clc
        jmp     .ret
.none:  stc
.ret:   pop     ds
        pop     si
        pop     dx
        pop     bx
        ret

; ---- PCI BIOS (INT 1Ah AH=B1h), real mode ----
PCIBIOS_OK              equ     0x00
PCIBIOS_FUNC_UNSUPP     equ     0x81
PCIBIOS_BAD_VENDOR      equ     0x83
PCIBIOS_NOT_FOUND       equ     0x86
PCIBIOS_BAD_REGISTER    equ     0x87
PCIBIOS_BUFFER_SMALL    equ     0x89

; pcibios: AL = the function; results in registers, CF and AH as the specification has them.
; Entered from int1a_handler with the caller's registers; returns through svc_return.
pcibios:
        cmp     al, 0x01
        je      .present
        cmp     al, 0x02
        je      .find_device
        cmp     al, 0x03
        je      .find_class
        cmp     al, 0x08
        je      .read8
        cmp     al, 0x09
        je      .read16
        cmp     al, 0x0A
        je      .read32
        cmp     al, 0x0B
        je      .write8
        cmp     al, 0x0C
        je      .write16
        cmp     al, 0x0D
        je      .write32
        cmp     al, 0x0E
        je      .routing
        mov     ah, PCIBIOS_FUNC_UNSUPP
        jmp     .fail
.present:
        ; EDX = "PCI ", AL = mechanism #1, BX = version 2.10, CL = last bus.
        mov     edx, 0x20494350
        mov     ax, 0x0001
        mov     bx, 0x0210
        xor     cl, cl
        jmp     .ok
.find_device:
        cmp     dx, 0xFFFF
        jne     .fd
        mov     ah, PCIBIOS_BAD_VENDOR
        jmp     .fail
.fd:    push    ecx
        push    di
        push    si
        push    ebx
        shl     ecx, 16
        mov     cx, dx                  ; ECX = device << 16 | vendor
        xor     bx, bx
.fdl:   xor     di, di
        push    ecx
        mov     eax, ecx
        call    pci_read32
        cmp     ecx, eax
        pop     ecx
        jne     .fdn
        test    si, si
        jz      .found
        dec     si
.fdn:   inc     bl
        jnz     .fdl
        pop     ebx
        pop     si
        pop     di
        pop     ecx
        mov     ah, PCIBIOS_NOT_FOUND
        jmp     .fail
.found: mov     ax, bx
        pop     ebx
        mov     bx, ax
        pop     si
        pop     di
        pop     ecx
        jmp     .ok
.find_class:
        push    ecx
        push    di
        push    si
        push    ebx
        and     ecx, 0xFFFFFF
        xor     bx, bx
.fcl:   mov     di, 0x00
        push    ecx
        call    pci_read16
        cmp     cx, 0xFFFF
        pop     ecx
        je      .fcn
        mov     di, 0x08
        push    ecx
        mov     eax, ecx
        call    pci_read32
        shr     ecx, 8
        cmp     ecx, eax
        pop     ecx
        jne     .fcn
        test    si, si
        jz      .found
        dec     si
.fcn:   inc     bl
        jnz     .fcl
        pop     ebx
        pop     si
        pop     di
        pop     ecx
        mov     ah, PCIBIOS_NOT_FOUND
        jmp     .fail
.read8: call    .bus0
        jc      .fail
        call    pci_read8
        jmp     .ok
.read16:
        call    .bus0
        jc      .fail
        test    di, 1
        jnz     .badreg
        call    pci_read16
        jmp     .ok
.read32:
        call    .bus0
        jc      .fail
        test    di, 3
        jnz     .badreg
        call    pci_read32
        jmp     .ok
.write8:
        call    .bus0
        jc      .fail
        call    pci_write8
        jmp     .ok
.write16:
        call    .bus0
        jc      .fail
        test    di, 1
        jnz     .badreg
        call    pci_write16
        jmp     .ok
.write32:
        call    .bus0
        jc      .fail
        test    di, 3
        jnz     .badreg
        call    pci_write32
        jmp     .ok
.routing:
        ; ES:DI -> { word buffer size, far pointer to the buffer }: the slot entries of the
        ; board's $PIR table, which tables.asm installed; BX = its IRQs exclusive to PCI.
        push    ds
        push    si
        push    cx
        push    di
        push    esi
        xor     ax, ax
        xor     bx, bx
        mov     esi, [cs:pir_address]
        sub     esi, 0xF0000
        jb      .rsize                  ; no $PIR: no entries
        mov     ax, [cs:si + 6]
        sub     ax, 32
        mov     bx, [cs:si + 10]
        add     si, 32
.rsize: cmp     [es:di], ax
        mov     [es:di], ax
        jb      .small
        mov     cx, ax
        push    es
        les     di, [es:di + 2]
        push    cs
        pop     ds
        cld                             ; whatever the caller's DF (svc_return gives it back)
        rep     movsb
        pop     es
        pop     esi
        pop     di
        pop     cx
        pop     si
        pop     ds
        jmp     .ok
.small: pop     esi
        pop     di
        pop     cx
        pop     si
        pop     ds
        mov     ah, PCIBIOS_BUFFER_SMALL
        jmp     .fail
.badreg:
        mov     ah, PCIBIOS_BAD_REGISTER
        jmp     .fail
.ok:    mov     ah, PCIBIOS_OK
        clc
        jmp     svc_return
.fail:  stc
        jmp     svc_return
; .bus0: only bus 0 exists; a function on another bus is not found. Register DI < 256.
.bus0:  test    bh, bh
        jnz     .nobus
        cmp     di, 0xFF
        ja      .nobus2
        clc
        ret
.nobus: mov     ah, PCIBIOS_NOT_FOUND
        stc
        ret
.nobus2:
        mov     ah, PCIBIOS_BAD_REGISTER
        stc
        ret
