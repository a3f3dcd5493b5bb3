; The BIOS32 Service Directory (Standard BIOS 32-bit Service Directory Proposal 0.4) and the
; PCI BIOS 32-bit interface (PCI BIOS Specification 2.1, 3.3 "Protected Mode Interface").
;
; The directory's 16-byte header "_32_" sits on a 16-byte boundary in E0000-FFFFF (here in the
; F segment): the entry point's physical address, revision 0, length 1 paragraph, a checksum
; over the 16 bytes, 5 reserved bytes. Callers far-call the entry with a 32-bit code segment
; whose base lets the physical address be reached (Linux uses a flat segment and the linear
; address it maps the BIOS at), so the code here is position-independent: relative jumps only,
; no memory data, all state in registers and I/O ports.
;
; Directory entry: EAX = service identifier, EBX = function (0). Returns AL = 00h and EBX = the
; service's base (physical), ECX = its length, EDX = the entry's offset from the base; AL = 80h
; for an unknown service, 81h for a function other than 0. "$PCI" is the only service.
;
; PCI BIOS entry: AH = B1h, AL = the function, registers as for INT 1Ah (pci.asm's pcibios):
; 01h present, 02h find device, 03h find class code, 08h-0Dh configuration reads and writes of
; bus 0 (mechanism #1, PCI Local Bus 2.1 3.7.4.1), 0Eh get IRQ routing options (PCI BIOS 2.1,
; 2.6.2: ES:EDI = the buffer header, a WORD size and a 48-bit pointer, 32-bit offset then
; selector, to the data; the $PIR's slot entries are copied there, BX = the IRQs only PCI uses).
; Returns AH = status with CF set on error, by a 32-bit far return. B10Fh (set PCI IRQ) is not
; here: 81h (function not supported).

        bits    32

bios32_entry:
        test    ebx, ebx
        jnz     .bad_function
        cmp     eax, '$PCI'
        jne     .unknown
        mov     ebx, BIOS_LINEAR
        mov     ecx, BIOS_SIZE
        mov     edx, pcibios32
        mov     al, 0x00
        retf
.unknown:
        mov     al, 0x80
        retf
.bad_function:
        mov     al, 0x81
        retf

; pci32_addr: selects register DI of function BX on CF8h; DX = the data port of its byte.
pci32_addr:
        push    eax
        movzx   eax, bx
        shl     eax, 8
        or      eax, 0x80000000
        movzx   edx, di
        and     dl, 0xFC
        or      al, dl
        mov     dx, 0xCF8
        out     dx, eax
        mov     dx, di
        and     dx, 3
        add     dx, 0xCFC
        pop     eax
        ret

; pci32_read32: ECX = dword register DI of function BX (EDX changed).
pci32_read32:
        push    eax
        call    pci32_addr
        in      eax, dx
        mov     ecx, eax
        pop     eax
        ret

pcibios32:
        cmp     ah, 0xB1
        jne     .unsupported
        push    edx
        cmp     al, 0x01
        je      .present
        cmp     al, 0x02
        je      .find_device
        cmp     al, 0x03
        je      .find_class
        cmp     al, 0x0E
        je      .routing
        cmp     al, 0x08
        jb      .unsupported_pop
        cmp     al, 0x0D
        ja      .unsupported_pop
        test    bh, bh
        jnz     .not_found_pop          ; only bus 0
        cmp     di, 0xFF
        ja      .bad_register_pop
        cmp     al, 0x0A
        je      .dword
        cmp     al, 0x0D
        je      .dword
        cmp     al, 0x09
        je      .word
        cmp     al, 0x0C
        je      .word
        call    pci32_addr              ; bytes: 08h read, 0Bh write
        cmp     al, 0x08
        jne     .wb
        push    eax
        in      al, dx
        mov     cl, al
        pop     eax
        jmp     .ok_pop
.wb:    push    eax
        mov     al, cl
        out     dx, al
        pop     eax
        jmp     .ok_pop
.word:  test    di, 1
        jnz     .bad_register_pop
        call    pci32_addr
        cmp     al, 0x09
        jne     .ww
        push    eax
        in      ax, dx
        mov     cx, ax
        pop     eax
        jmp     .ok_pop
.ww:    push    eax
        mov     ax, cx
        out     dx, ax
        pop     eax
        jmp     .ok_pop
.dword: test    di, 3
        jnz     .bad_register_pop
        call    pci32_addr
        cmp     al, 0x0A
        jne     .wd
        push    eax
        in      eax, dx
        mov     ecx, eax
        pop     eax
        jmp     .ok_pop
.wd:    push    eax
        mov     eax, ecx
        out     dx, eax
        pop     eax
        jmp     .ok_pop

.present:
        ; EDX = "PCI ", AL = mechanism #1, BX = version 2.10, CL = the last bus.
        pop     edx
        mov     edx, 'PCI '
        mov     ax, 0x0001
        mov     bx, 0x0210
        xor     cl, cl
        clc
        retf

.find_device:
        ; CX = device ID, DX = vendor ID (FFFFh is invalid), SI = index -> BX = bus/devfn.
        cmp     dx, 0xFFFF
        je      .bad_vendor_pop
        push    edi
        push    esi
        push    ecx
        push    ebp
        movzx   ebp, cx
        shl     ebp, 16
        mov     bp, dx                  ; EBP = device << 16 | vendor
        xor     ebx, ebx
.fd:    xor     edi, edi
        call    pci32_read32
        cmp     ecx, ebp
        jne     .fd_next
        test    si, si
        jz      .found
        dec     si
.fd_next:
        inc     bl
        jnz     .fd
        jmp     .search_failed

.find_class:
        ; ECX bits 23-0 = class code, SI = index -> BX = bus/devfn.
        push    edi
        push    esi
        push    ecx
        push    ebp
        mov     ebp, ecx
        and     ebp, 0x00FFFFFF
        xor     ebx, ebx
.fc:    xor     edi, edi
        call    pci32_read32
        cmp     cx, 0xFFFF
        je      .fc_next
        mov     di, 0x08
        call    pci32_read32
        shr     ecx, 8
        cmp     ecx, ebp
        jne     .fc_next
        test    si, si
        jz      .found
        dec     si
.fc_next:
        inc     bl
        jnz     .fc
.search_failed:
        pop     ebp
        pop     ecx
        pop     esi
        pop     edi
        pop     edx
        mov     ah, 0x86                ; device not found
        stc
        retf
.found: pop     ebp
        pop     ecx
        pop     esi
        pop     edi
        pop     edx
        mov     ah, 0x00
        clc
        retf

.routing:
        ; The $PIR POST installed (pir_address, a physical address in the F segment), reached
        ; through CS: the caller's code segment covers this image at some base, so the image's
        ; start in CS terms comes from where this code runs (labels are offsets in the image).
        push    esi
        push    ecx
        push    es
        push    edi
        call    .here
.here:  pop     esi
        sub     esi, .here              ; ESI = the image's start, CS-relative
        xor     ecx, ecx
        xor     ebx, ebx
        mov     eax, [cs:esi + pir_address]
        sub     eax, BIOS_LINEAR
        jb      .rsize                  ; no $PIR: no entries
        add     esi, eax
        mov     cx, [cs:esi + 6]
        sub     cx, 32                  ; the slot entries after the 32-byte header
        mov     bx, [cs:esi + 10]       ; PCI exclusive IRQs
        add     esi, 32
.rsize: cmp     [es:edi], cx
        mov     [es:edi], cx            ; the size needed, or copied
        jb      .routing_small
        les     edi, [es:edi + 2]
.copy:  jecxz   .copied
        mov     al, [cs:esi]
        mov     [es:edi], al
        inc     esi
        inc     edi
        dec     ecx
        jmp     .copy
.copied:
        pop     edi
        pop     es
        pop     ecx
        pop     esi
        jmp     .ok_pop
.routing_small:
        pop     edi
        pop     es
        pop     ecx
        pop     esi
        pop     edx
        mov     ah, 0x89                ; buffer too small
        stc
        retf

.ok_pop:
        pop     edx
        mov     ah, 0x00
        clc
        retf
.unsupported_pop:
        pop     edx
.unsupported:
        mov     ah, 0x81
        stc
        retf
.bad_vendor_pop:
        pop     edx
        mov     ah, 0x83
        stc
        retf
.not_found_pop:
        pop     edx
        mov     ah, 0x86
        stc
        retf
.bad_register_pop:
        pop     edx
        mov     ah, 0x87
        stc
        retf

        bits    16

; The directory header; its checksum makes the 16 bytes sum to zero.
BIOS32_ENTRY_LINEAR     equ     BIOS_LINEAR + (bios32_entry - $$)
        align   16
bios32_directory:
        db      "_32_"
        dd      BIOS32_ENTRY_LINEAR
        db      0, 1
        db      (0x100 - (('_' + '3' + '2' + '_' + (BIOS32_ENTRY_LINEAR & 0xFF) + ((BIOS32_ENTRY_LINEAR >> 8) & 0xFF) + ((BIOS32_ENTRY_LINEAR >> 16) & 0xFF) + (BIOS32_ENTRY_LINEAR >> 24) + 1) & 0xFF)) & 0xFF
        times   5 db 0
